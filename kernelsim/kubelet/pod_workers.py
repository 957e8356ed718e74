"""Pod workers: one per pod, driving it through its life cycle (pkg/kubelet/pod_workers.go,
pkg/kubelet/kuberuntime/kuberuntime_manager.go's SyncPod and computePodActions).

Each sync compares what the pod asks for with what the runtime has and does the next
steps: create the sandbox (CNI ADD gives the pod its IP), set up the volumes, run the
init containers one by one, start the app containers (pulling images first), restart
exited containers as the restartPolicy says (with the CrashLoopBackOff back-off), and on
deletion stop everything gracefully and remove the pod from the API.  A sync is
idempotent: it is run again whenever something changes (a watch event, a container
exit, a finished pull, a probe result, a back-off that expires).
"""

from __future__ import annotations

import re

from ..api import errors
from ..api.defaults import quantity_value
from ..runtime.cri import (CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL,
                           ContainerConfig, Mount)
from .image_manager import go_duration
from .volumes import MountError, field_ref_value

MINIMUM_GRACE_PERIOD = 2
CONFIG_RETRY = 10.0
ERROR_REQUEUE = 10.0
READ_ONLY_VOLUME_TYPES = ("configMap", "secret", "projected", "downwardAPI")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ConfigError(Exception):
    """CreateContainerConfigError: the container's configuration cannot be made."""


class ContainerRecord:
    """What the kubelet knows about one container of a pod across its restarts."""

    def __init__(self, spec: dict, kind: str):
        self.spec = spec
        self.name = spec["name"]
        self.kind = kind  # "init", "sidecar" (restartable init container) or "regular"
        section = "initContainers" if kind in ("init", "sidecar") else "containers"
        self.field_path = f"spec.{section}{{{self.name}}}"
        self.current: str | None = None  # container ID of the latest instance
        self.previous: str | None = None
        self.instances = 0
        self.waiting: tuple[str, str] | None = None
        self.pending = False  # an image pull or start in progress
        self.ready = False
        self.started = False
        self.retry = None

    @property
    def restart_count(self) -> int:
        return max(0, self.instances - 1)


class PodWorker:
    def __init__(self, kubelet, pod: dict, static: bool = False):
        self.kubelet = kubelet
        self.static = static
        self.pod = pod
        self.uid = pod["metadata"]["uid"]
        spec = pod.get("spec") or {}
        self.records: dict[str, ContainerRecord] = {}
        for c in spec.get("initContainers") or []:
            self.records[c["name"]] = ContainerRecord(c, "sidecar" if c.get("restartPolicy") == "Always" else "init")
        for c in spec.get("containers") or []:
            self.records[c["name"]] = ContainerRecord(c, "regular")
        # A pod whose containers ran before this kubelet came up (its machine restarted, as in a
        # restored cluster): they start again, and their restart counts go on from the pod's status.
        status = pod.get("status") or {}
        for st in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            rec = self.records.get(st.get("name")) if isinstance(st, dict) else None
            if rec is not None and st.get("containerID") and isinstance(st.get("restartCount"), int):
                rec.instances = st["restartCount"] + 1
        self.sandbox_id: str | None = None
        self.pod_ip: str | None = None
        self.volumes: dict | None = None
        self.start_time: float | None = None
        self.init_failed = False
        self.finished = False  # reached Succeeded/Failed on its own
        self.terminating = False
        self.cleaned = False
        self.deleted_from_api = False
        self.delete_requested = False
        self.removed = False
        self.mount_retry = 0.0
        self._mount_timer = None
        self._sync_queued = False

    # -- identity ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    @property
    def spec(self) -> dict:
        return self.pod.get("spec") or {}

    def full_name(self) -> str:
        """kubelet's format.Pod: name_namespace(uid)."""
        return f"{self.name}_{self.namespace}({self.uid})"

    def init_records(self) -> list[ContainerRecord]:
        return [r for r in self.records.values() if r.kind in ("init", "sidecar")]

    def regular_records(self) -> list[ContainerRecord]:
        return [r for r in self.records.values() if r.kind == "regular"]

    def container(self, rec: ContainerRecord, previous: bool = False):
        cid = rec.previous if previous else rec.current
        return self.kubelet.runtime.container_status(cid) if cid else None

    # -- triggers --------------------------------------------------------------------------------
    def update(self, pod: dict) -> None:
        """A newer copy of the pod from the API; only a change beyond its status needs a sync
        (the status is the kubelet's own writing)."""
        old, self.pod = self.pod, pod
        if _desired(old) != _desired(pod):
            self.apply_spec_changes()
            self.queue_sync()

    def apply_spec_changes(self) -> None:
        """A new image for a container (the one mutable field that matters here): the
        container's hash changes, so it is killed and started again with the new image."""
        spec = self.spec
        for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            rec = self.records.get(c.get("name"))
            if rec is None or rec.spec.get("image") == c.get("image"):
                if rec is not None:
                    rec.spec = c
                continue
            rec.spec = c
            running = self.container(rec)
            if running is not None and running.running and not self.pod["metadata"].get("deletionTimestamp"):
                self.kill_container(rec, f"Container {rec.name} definition changed, will be restarted")

    def queue_sync(self, delay: float = 0.0, background: bool = False) -> None:
        k = self.kubelet
        if delay > 0:
            return_timer = k.loop.call_later(delay, self.queue_sync, f"{k.source} resync {self.name}",
                                             background=background)
            return return_timer
        if self._sync_queued:
            return None
        self._sync_queued = True

        def run():
            self._sync_queued = False
            self.sync()
        k.loop.call_soon(run, f"{k.source} sync {self.namespace}/{self.name}")
        return None

    # -- the sync --------------------------------------------------------------------------------
    def sync(self) -> None:
        k = self.kubelet
        if not k.running or self.removed:
            return
        if self.deleted_from_api or self.pod["metadata"].get("deletionTimestamp"):
            self.terminate()
            return
        if self.finished:
            k.status_manager.mark(self)
            return
        if self.start_time is None:
            self.start_time = k.loop.now
        if self.ensure_sandbox() and self.ensure_volumes():
            if self.sync_init_containers():
                self.sync_containers()
            self.check_finished()
        k.status_manager.mark(self)
        if self.static:
            k.static_pods.ensure_mirror(self)

    def ensure_sandbox(self) -> bool:
        if self.sandbox_id is not None:
            return True
        k = self.kubelet
        spec = self.spec
        host_network = bool(spec.get("hostNetwork"))
        if host_network:
            ip = k.node_ip
        else:
            cidr = k.pod_cidr()
            try:
                k.trace("cni", "ADD", f"{self.namespace}/{self.name}", cidr or "")
                ip = k.network.setup_pod(k.node_name, cidr, self.pod)
            except Exception as e:  # the CNI plugin failed: no sandbox yet
                k.recorder.event(self.pod, "Warning", "FailedCreatePodSandBox",
                                 f"Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup "
                                 f"network for sandbox: plugin type=\"ptp\" failed (add): {e}")
                self.queue_sync(CONFIG_RETRY, background=True)
                return False
        k.trace("runtime", "RunPodSandbox", f"{self.namespace}/{self.name}")
        # the sandbox config: hostname, DNS config (resolv.conf) and the managed /etc/hosts
        from . import dns as pod_dns
        cluster_dns = getattr(k, "cluster_dns", pod_dns.CLUSTER_DNS)
        cluster_domain = getattr(k, "cluster_domain", pod_dns.CLUSTER_DOMAIN)
        host_fs = k.runtime.host_fs
        node_resolv = host_fs.read(pod_dns.NODE_RESOLV_CONF_PATH) or pod_dns.NODE_RESOLV_CONF
        dns_config, dns_warnings = pod_dns.pod_dns_config(self.pod, cluster_dns, cluster_domain, node_resolv)
        for reason, message in dns_warnings:
            k.recorder.event(self.pod, "Warning", reason, message)
        short, domain = pod_dns.pod_hostname_and_domain(self.pod, cluster_domain)
        hostname = k.node_name if host_network else \
            pod_dns.kernel_hostname(short, domain, spec.get("setHostnameAsFQDN"))
        hosts = pod_dns.pod_hosts_file(self.pod, [ip], cluster_domain,
                                       host_fs.read(pod_dns.NODE_HOSTS_PATH) or pod_dns.node_hosts(k.node_name))
        self.sandbox_id = k.runtime.run_pod_sandbox(
            self.name, self.namespace, self.uid, ip, hostname=hostname, host_network=host_network,
            labels={POD_NAME_LABEL: self.name, POD_NAMESPACE_LABEL: self.namespace, POD_UID_LABEL: self.uid},
            resolv_conf=pod_dns.resolv_conf(dns_config, node_resolv), hosts=hosts)
        self.pod_ip = ip
        return True

    def ensure_volumes(self) -> bool:
        if self.volumes is not None:
            return True
        k = self.kubelet
        try:
            self.volumes = k.volume_manager.mount(self.pod_with_ip())
            return True
        except MountError as e:
            k.recorder.event(self.pod, "Warning", "FailedMount", str(e))
            # the volume manager retries with exponential back-off (500ms doubling, at most ~2 minutes)
            self.mount_retry = min(122.0, max(0.5, self.mount_retry * 2))
            if self._mount_timer is None or self._mount_timer.cancelled or self._mount_timer.when <= k.loop.now:
                # The first retries are expected work (a claim is usually bound within seconds),
                # so settle() waits for them; a mount that keeps failing becomes background.
                self._mount_timer = self.queue_sync(self.mount_retry, background=self.mount_retry > 8)
            return False

    def sync_init_containers(self) -> bool:
        """Run init containers in order; True when all of them are done (sidecars: started)."""
        policy = self.spec.get("restartPolicy", "Always")
        for rec in self.init_records():
            c = self.container(rec)
            if rec.kind == "sidecar":
                if c is not None and c.running:
                    if rec.started:
                        continue
                    return False
                if not rec.pending:
                    self.start_container(rec)
                return False
            if c is not None and c.state == "CONTAINER_EXITED" and c.exit_code == 0:
                continue
            if rec.pending or (c is not None and c.state != "CONTAINER_EXITED"):
                return False
            if c is not None:  # exited with an error
                if policy == "Never":
                    self.init_failed = True
                    return False
            self.start_container(rec)
            return False
        return True

    def sync_containers(self) -> None:
        for rec in self.regular_records():
            if rec.pending:
                continue
            c = self.container(rec)
            if c is None:
                self.start_container(rec)
            elif c.state == "CONTAINER_EXITED" and self.should_restart(rec, c):
                self.start_container(rec)
        for rec in self.init_records():  # sidecars keep running beside the app containers
            c = self.container(rec)
            if rec.kind == "sidecar" and not rec.pending and c is not None and c.state == "CONTAINER_EXITED":
                self.start_container(rec)

    def should_restart(self, rec: ContainerRecord, c) -> bool:
        policy = rec.spec.get("restartPolicy") or self.spec.get("restartPolicy", "Always")
        if policy == "Always":
            return True
        if policy == "OnFailure":
            return c.exit_code != 0
        return False

    def check_finished(self) -> None:
        from .status import pod_phase

        if self.finished:
            return
        phase = pod_phase(self)
        if phase in ("Succeeded", "Failed"):
            # a pod that completed: its sandbox goes, its containers stay for `kubectl logs`
            self.finished = True
            self.kubelet.probes.remove_pod(self)
            for rec in self.records.values():
                c = self.container(rec)
                if c is not None and c.running:  # sidecars stop when the app containers are done
                    self.kubelet.runtime.stop_container(c.id, self.grace_period())
            self.stop_sandbox()

    # -- starting a container ----------------------------------------------------------------------
    def start_container(self, rec: ContainerRecord) -> None:
        k = self.kubelet
        c = self.container(rec)
        if c is not None and c.state == "CONTAINER_EXITED":
            key = f"{self.uid}_{rec.name}"
            if k.restart_backoff.in_backoff_since(key, c.finished_at, k.loop.now):
                delay = k.restart_backoff.get(key)
                rec.waiting = ("CrashLoopBackOff", f"back-off {go_duration(delay)} restarting failed container="
                                                   f"{rec.name} pod={self.full_name()}")
                k.recorder.event(self.pod, "Warning", "BackOff",
                                 f"Back-off restarting failed container {rec.name} in pod {self.full_name()}",
                                 rec.field_path)
                self.retry_at(rec, c.finished_at + delay)
                return
            k.restart_backoff.next(key, c.finished_at)
        try:
            env = self.container_env(rec)
        except ConfigError as e:
            rec.waiting = ("CreateContainerConfigError", str(e))
            k.recorder.event(self.pod, "Warning", "Failed", f"Error: {e}", rec.field_path)
            self.retry_at(rec, k.loop.now + CONFIG_RETRY)
            return
        rec.pending = True  # the last waiting reason stays until the pull and start are done
        k.image_manager.ensure_image(self.pod, rec.spec, rec.field_path,
                                     lambda image, err: self.image_ready(rec, env, image, err))

    def retry_at(self, rec: ContainerRecord, when: float) -> None:
        k = self.kubelet
        if rec.retry is not None and not rec.retry.cancelled and rec.retry.when > k.loop.now:
            return
        rec.retry = k.loop.call_at(max(when, k.loop.now), self.queue_sync, f"{k.source} back-off {rec.name}",
                                   background=True)

    def image_ready(self, rec: ContainerRecord, env: dict, image, err) -> None:
        k = self.kubelet
        rec.pending = False
        if self.removed or self.terminating or self.finished:
            return
        if err is not None:
            rec.waiting = (err.reason, err.message)
            k.recorder.event(self.pod, "Warning", "Failed", f"Error: {err.reason}", rec.field_path)
            # the pod worker requeues a failed sync after 10s with up to 50% jitter
            self.retry_at(rec, k.loop.now + ERROR_REQUEUE * (1 + 0.5 * k.loop.rng.random()))
            k.status_manager.mark(self)
            return
        if self.sandbox_id is None or not k.running:
            self.queue_sync()
            return
        config = self.container_config(rec, image, env)
        k.trace("runtime", "CreateContainer", f"{self.namespace}/{self.name}/{rec.name}")
        cid = k.runtime.create_container(self.sandbox_id, config)
        k.recorder.event(self.pod, "Normal", "Created", "Container created", rec.field_path)
        rec.previous, rec.current = rec.current, cid
        rec.instances += 1
        rec.waiting = None
        rec.ready = False
        rec.started = not rec.spec.get("startupProbe")
        k.trace("runtime", "StartContainer", f"{self.namespace}/{self.name}/{rec.name}")
        k.runtime.start_container(cid)
        k.recorder.event(self.pod, "Normal", "Started", "Container started", rec.field_path)
        k.probes.add_container(self, rec, cid)
        k.status_manager.mark(self)
        self.queue_sync()

    def pod_with_ip(self) -> dict:
        pod = dict(self.pod)
        pod["status"] = dict(pod.get("status") or {}, podIP=self.pod_ip or "", hostIP=self.kubelet.node_ip)
        return pod

    def container_env(self, rec: ContainerRecord) -> dict:
        """The container's environment, as kubeGenericRuntimeManager.makeEnvironmentVariables builds it."""
        k = self.kubelet
        spec = rec.spec
        env = {"PATH": DEFAULT_PATH, "HOSTNAME": self.spec.get("hostname") or self.name}
        env.update(kubernetes_service_env())
        ns = self.namespace
        for src in spec.get("envFrom") or []:
            prefix = src.get("prefix", "")
            for key, resource, kind in (("configMapRef", "configmaps", "configmap"),
                                        ("secretRef", "secrets", "secret")):
                ref = src.get(key)
                if not ref:
                    continue
                data = self._object_data(resource, kind, ns, ref.get("name"), ref.get("optional"))
                for name, value in (data or {}).items():
                    env[prefix + name] = value
        pod = self.pod_with_ip()
        for var in spec.get("env") or []:
            name = var.get("name")
            if "valueFrom" not in var:
                env[name] = expand_vars(var.get("value", ""), env)
                continue
            vf = var["valueFrom"] or {}
            if "fieldRef" in vf:
                env[name] = field_ref_value(pod, vf["fieldRef"].get("fieldPath", ""), k)
            elif "resourceFieldRef" in vf:
                env[name] = resource_field_value(rec.spec, vf["resourceFieldRef"], k)
            elif "configMapKeyRef" in vf or "secretKeyRef" in vf:
                is_cm = "configMapKeyRef" in vf
                ref = vf["configMapKeyRef" if is_cm else "secretKeyRef"]
                kind, resource, title = ("configmap", "configmaps", "ConfigMap") if is_cm else ("secret", "secrets",
                                                                                                 "Secret")
                data = self._object_data(resource, kind, ns, ref.get("name"), ref.get("optional"))
                if data is None:
                    continue
                if ref.get("key") not in data:
                    if ref.get("optional"):
                        continue
                    raise ConfigError(f"couldn't find key {ref.get('key')} in {title} {ns}/{ref.get('name')}")
                env[name] = data[ref["key"]]
        env.setdefault("HOME", "/root")
        return env

    def _object_data(self, resource, kind, ns, name, optional) -> dict | None:
        import base64

        try:
            obj = self.kubelet.client.get(resource, name, ns)
        except errors.StatusError as e:
            if e.code == 404:
                if optional:
                    return None
                raise ConfigError(f'{kind} "{name}" not found') from None
            raise
        data = dict(obj.get("data") or {})
        if resource == "secrets":
            out = {}
            for k, v in data.items():
                try:
                    out[k] = base64.b64decode(v).decode("utf-8", "replace")
                except Exception:
                    out[k] = v
            out.update(obj.get("stringData") or {})
            return out
        return data

    def container_config(self, rec: ContainerRecord, image, env: dict) -> ContainerConfig:
        spec = rec.spec
        mounts = []
        volumes_by_name = {v.get("name"): v for v in self.spec.get("volumes") or []}
        for vm in spec.get("volumeMounts") or []:
            store = (self.volumes or {}).get(vm.get("name"))
            if store is None:
                continue
            if vm.get("subPath"):
                store = store.view(vm["subPath"])
            vol = volumes_by_name.get(vm.get("name"), {})
            read_only = bool(vm.get("readOnly")) or any(t in vol for t in READ_ONLY_VOLUME_TYPES)
            mounts.append(Mount(vm.get("mountPath", "/"), store, read_only))
        limits = (spec.get("resources") or {}).get("limits") or {}
        memory = quantity_value(limits["memory"]) if "memory" in limits else None
        cpu = quantity_value(limits["cpu"]) if "cpu" in limits else None
        labels = {POD_NAME_LABEL: self.name, POD_NAMESPACE_LABEL: self.namespace, POD_UID_LABEL: self.uid,
                  CONTAINER_NAME_LABEL: rec.name}
        return ContainerConfig(
            name=rec.name, image=image,
            command=[expand_vars(a, env) for a in spec.get("command") or []],
            args=[expand_vars(a, env) for a in spec.get("args") or []],
            env=env, mounts=mounts, labels=labels,
            annotations={"io.kubernetes.container.restartCount": str(rec.instances),
                         "io.kubernetes.pod.terminationGracePeriod": str(self.spec.get(
                             "terminationGracePeriodSeconds", 30))},
            memory_limit=int(memory) if memory else None,
            cpu_limit_millicores=float(cpu * 1000) if cpu else None,
            working_dir=spec.get("workingDir", ""), restart_count=rec.instances)

    # -- a container exited or failed a probe -------------------------------------------------------
    def container_exited(self, container) -> None:
        self.kubelet.probes.remove_container(container.id)
        for rec in self.records.values():
            if rec.current == container.id:
                rec.ready = False
        self.kubelet.status_manager.mark(self)
        self.queue_sync()

    def kill_container(self, rec: ContainerRecord, message: str, grace: float | None = None) -> None:
        """Killing event and StopContainer (liveness or startup probe failure)."""
        k = self.kubelet
        c = self.container(rec)
        if c is None or not c.running:
            return
        k.recorder.event(self.pod, "Normal", "Killing", message, rec.field_path)
        k.probes.remove_container(c.id)
        rec.ready = False
        k.trace("runtime", "StopContainer", f"{self.namespace}/{self.name}/{rec.name}")
        k.runtime.stop_container(c.id, grace if grace is not None else self.grace_period())
        k.status_manager.mark(self)

    # -- termination ----------------------------------------------------------------------------------
    def grace_period(self) -> float:
        meta = self.pod["metadata"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = self.spec.get("terminationGracePeriodSeconds", 30)
        return float(max(MINIMUM_GRACE_PERIOD, grace or 0))

    def terminate(self) -> None:
        k = self.kubelet
        if not self.terminating:
            self.terminating = True
            k.probes.remove_pod(self)
            for rec in self.records.values():
                if rec.retry is not None:
                    rec.retry.cancel()
            grace = self.grace_period()
            # app containers first, then sidecars
            order = self.regular_records() + [r for r in self.init_records() if r.kind == "sidecar"]
            for rec in order:
                c = self.container(rec)
                if c is not None and c.running:
                    k.recorder.event(self.pod, "Normal", "Killing", f"Stopping container {rec.name}", rec.field_path)
                    k.trace("runtime", "StopContainer", f"{self.namespace}/{self.name}/{rec.name}")
                    k.runtime.stop_container(c.id, grace)
            k.status_manager.mark(self)
        if any((c := self.container(r)) is not None and c.running for r in self.records.values()):
            return  # the exits come back through the PLEG and sync again
        self.stop_sandbox()
        k.status_manager.mark(self)
        k.status_manager.flush()
        if self.static:
            return
        if not self.deleted_from_api and not self.delete_requested:
            self.delete_requested = True
            try:
                k.client.delete("pods", self.name, self.namespace, grace_period_seconds=0)
            except errors.StatusError as e:
                if e.code != 404:
                    # kube-apiserver could not delete it now (etcd without a leader): the status
                    # manager's sync loop asks again 10 s later (it never crashes the kubelet).
                    self.delete_requested = False
                    self.queue_sync(delay=10.0, background=True)
                    return
        if self.deleted_from_api:
            k.remove_worker(self)

    def stop_sandbox(self) -> None:
        k = self.kubelet
        if self.cleaned or self.sandbox_id is None:
            self.cleaned = True
            return
        self.cleaned = True
        if not self.spec.get("hostNetwork"):
            teardown = getattr(k.network, "teardown_pod", None)
            if teardown is not None:
                k.trace("cni", "DEL", f"{self.namespace}/{self.name}")
                try:
                    teardown(k.node_name, self.pod)
                except Exception:
                    pass
        k.trace("runtime", "StopPodSandbox", f"{self.namespace}/{self.name}")
        k.runtime.stop_pod_sandbox(self.sandbox_id)
        k.volume_manager.unmount(self.uid)


def _desired(pod: dict) -> dict:
    meta = {k: v for k, v in (pod.get("metadata") or {}).items() if k not in ("resourceVersion", "managedFields")}
    return {"metadata": meta, "spec": pod.get("spec")}


def expand_vars(text: str, env: dict) -> str:
    """$(VAR) references in command, args and env values (escaped with $$)."""
    def sub(m):
        if m.group(0).startswith("$$"):
            return m.group(0)[1:]
        name = m.group(1)
        return env.get(name, m.group(0))
    return re.sub(r"\$\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", sub, text or "")


def kubernetes_service_env() -> dict:
    """The env vars of the ``kubernetes`` Service every container gets (its ClusterIP 10.96.0.1)."""
    ip, port = "10.96.0.1", "443"
    return {"KUBERNETES_SERVICE_HOST": ip, "KUBERNETES_SERVICE_PORT": port, "KUBERNETES_SERVICE_PORT_HTTPS": port,
            "KUBERNETES_PORT": f"tcp://{ip}:{port}", "KUBERNETES_PORT_443_TCP": f"tcp://{ip}:{port}",
            "KUBERNETES_PORT_443_TCP_PROTO": "tcp", "KUBERNETES_PORT_443_TCP_PORT": port,
            "KUBERNETES_PORT_443_TCP_ADDR": ip}


def resource_field_value(spec: dict, ref: dict, kubelet) -> str:
    resource = ref.get("resource", "")
    kind, _, name = resource.partition(".")
    values = ((spec.get("resources") or {}).get(kind) or {})
    raw = values.get(name)
    if raw is None:  # limits default to the node's allocatable
        raw = kubelet.node_status.allocatable.get(name, "0")
    value = quantity_value(raw) or 0
    divisor = quantity_value(ref.get("divisor") or "1") or 1
    out = value / divisor
    return str(int(-(-out // 1)))
