"""Saving a cluster to a file and bringing it back: a backup and restore of the whole cluster.

Like an etcd backup (``etcdctl snapshot save``/``restore``) plus what only a
simulation has: ``save()`` writes etcd's snapshot -- every key, value and
revision, which is all of the API state -- beside the simulation's own state
(the clock, the seeded RNG, the cluster's shape, its machines, the pod
network's addresses, the persistent volumes' files).

``load()`` restores etcd first, then assembles the cluster as usual around
it; the components (controllers, scheduler, kubelets, kube-proxy) start, list
and watch from the restored kube-apiserver and reconcile, exactly as a real
cluster does after its machines restart.  Running containers are not saved:
as after a reboot, each kubelet starts its pods' containers again (their
restart counts go up by one, the logs of the earlier runs are gone, and until
time moves ``kubectl logs`` says the container is waiting to start).

The file is ``MAGIC``, one JSON header line (format version, length and
SHA-256 of the payload), then the zlib-compressed payload.  A file that is
not a snapshot, of another version, truncated or corrupted is refused before
anything is built, with an English and Korean message.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import zlib
from pathlib import Path

MAGIC = b"KERNELSIM-SNAPSHOT\n"
FORMAT_VERSION = 1


class SnapshotError(ValueError):
    """A snapshot file that cannot be restored; nothing was loaded."""

    def __init__(self, en: str, ko: str):
        super().__init__(f"{en} / {ko}")
        self.en, self.ko = en, ko


# -- save -------------------------------------------------------------------------------------------

def simulation_state(cluster) -> dict:
    """What is not in etcd: the clock, the RNG, the cluster's shape and its machines."""
    version, internal, gauss = cluster.loop.rng.getstate()
    net = cluster.network
    return {
        "config": {
            "masters": cluster.masters, "workers": cluster.workers, "seed": cluster.seed,
            "epoch": cluster.apiserver.epoch.isoformat(), "speed": cluster.clock.speed,
            "controllers": list(cluster.controller_manager.controllers),
            "scheduler": cluster.scheduler is not None,
            "nodes": cluster.cloud_controller_manager is not None,
            "addons": cluster.metrics_server is not None,
        },
        "clock": cluster.loop.now,
        "rng": [version, list(internal), gauss],
        "machines": [
            {"name": m.name, "role": m.role, "capacity": m.capacity, "stopped": m.stopped,
             "kubelet_running": bool(m.kubelet and m.kubelet.running),
             "removed": m.name not in cluster.cloud.instances}
            for m in cluster.machines.values()],
        "network": {
            "by_pod": [[*key, ip] for key, ip in net._by_pod.items()],
            "last": net._last, "cidrs": net._cidrs,
        },
        "volumes": {name: store.files for name, store in cluster.volume_store.volumes.items()},
    }


def save(cluster, path) -> str:
    """Write ``cluster`` to ``path`` (atomically: a reader never sees half a file)."""
    from .apiserver.bootstrap import etcd_snapshot

    with cluster.lock:
        payload = json.dumps({"etcd": etcd_snapshot(cluster.apiserver).decode("utf-8"),
                              "simulation": simulation_state(cluster)},
                             separators=(",", ":")).encode("utf-8")
    body = zlib.compress(payload, 6)
    header = json.dumps({"format": FORMAT_VERSION, "length": len(body),
                         "sha256": hashlib.sha256(body).hexdigest()}).encode() + b"\n"
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC + header + body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return str(target)


# -- load -------------------------------------------------------------------------------------------

def read(path) -> dict:
    """The payload of a snapshot file, checked: magic, version, length and checksum."""
    data = Path(path).expanduser().read_bytes()
    name = str(path)
    if not data.startswith(MAGIC):
        raise SnapshotError(f"{name} is not a kernelsim snapshot (cluster.save() writes them)",
                            f"{name}은(는) kernelsim 스냅샷이 아닙니다 (cluster.save()로 저장한 파일이어야 합니다)")
    rest = data[len(MAGIC):]
    line, sep, body = rest.partition(b"\n")
    try:
        header = json.loads(line) if sep else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or not {"format", "length", "sha256"} <= set(header):
        raise SnapshotError(f"the snapshot {name} is truncated or corrupted: its header is unreadable",
                            f"스냅샷 {name}이(가) 잘렸거나 손상되었습니다: 헤더를 읽을 수 없습니다")
    if header["format"] != FORMAT_VERSION:
        raise SnapshotError(f"the snapshot {name} has format version {header['format']}; "
                            f"this kernelsim reads version {FORMAT_VERSION}",
                            f"스냅샷 {name}의 형식 버전은 {header['format']}입니다; "
                            f"이 kernelsim은 버전 {FORMAT_VERSION}만 읽습니다")
    if len(body) != header["length"]:
        raise SnapshotError(f"the snapshot {name} is truncated: {len(body)} of {header['length']} bytes",
                            f"스냅샷 {name}이(가) 잘렸습니다: {header['length']}바이트 중 {len(body)}바이트뿐입니다")
    if hashlib.sha256(body).hexdigest() != header["sha256"]:
        raise SnapshotError(f"the snapshot {name} is corrupted: its checksum does not match",
                            f"스냅샷 {name}이(가) 손상되었습니다: 체크섬이 맞지 않습니다")
    try:
        state = json.loads(zlib.decompress(body))
        state["etcd"] = state["etcd"].encode("utf-8")
        state["simulation"]["config"]
    except (ValueError, KeyError, TypeError, zlib.error):
        raise SnapshotError(f"the snapshot {name} is corrupted: its content is unreadable",
                            f"스냅샷 {name}이(가) 손상되었습니다: 내용을 읽을 수 없습니다") from None
    return state


class Restore:
    """What ``Cluster.__init__`` needs to assemble a cluster around a restored etcd."""

    def __init__(self, state: dict):
        self.etcd_snapshot: bytes = state["etcd"]
        self.sim = state["simulation"]
        self.machines = [(m["name"], m["role"], m["capacity"]) for m in self.sim["machines"]]

    def prepare_loop(self, loop) -> None:
        """The clock goes on from where it was saved."""
        loop._now = float(self.sim["clock"])

    def finish(self, cluster) -> None:
        """After assembly: the RNG, the pod network, the volumes and the machines' power state."""
        net = cluster.network
        for node, ns, pod, ip in self.sim["network"]["by_pod"]:
            net._by_pod[(node, ns, pod)] = ip
            net._by_ip[ip] = (node, ns, pod)
        net._last.update(self.sim["network"]["last"])
        net._cidrs.update(self.sim["network"]["cidrs"])
        from .runtime.cri import FileStore

        for name, files in self.sim["volumes"].items():
            cluster.volume_store.volumes[name] = FileStore(files)
        for m in self.sim["machines"]:
            if m["removed"]:
                cluster.remove_node(m["name"])
            elif m["stopped"] and m["role"] == "control-plane":
                cluster.stop_master(m["name"])
            elif not m["kubelet_running"]:
                cluster.stop_kubelet(m["name"])
        version, internal, gauss = self.sim["rng"]
        cluster.loop.rng.setstate((version, tuple(internal), gauss))


def load(path, *, realtime: bool | None = None):
    """A cluster restored from ``path``; the file is checked completely before anything is built."""
    from .cluster import Cluster

    state = read(path)
    restore = Restore(state)
    cfg = restore.sim["config"]
    epoch = _dt.datetime.fromisoformat(cfg["epoch"])
    return Cluster(cfg["masters"], cfg["workers"], cfg["seed"], realtime=realtime, speed=cfg["speed"], epoch=epoch,
                   controllers=tuple(cfg["controllers"]), scheduler=cfg["scheduler"], nodes=cfg["nodes"],
                   addons=cfg["addons"], _restore=restore)
