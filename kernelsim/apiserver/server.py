"""kube-apiserver: the only door to the cluster's state, and the only client of etcd.

Every request takes the same path as in ``k8s.io/apiserver``:
authentication -> authorization -> decoding and schema checks -> mutating
admission and defaulting -> validation -> validating admission -> etcd.
The HTTP front end (``http.py``) and the in-process client both call the
methods here, so kubectl and the controllers see exactly the same server.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import uuid
from dataclasses import dataclass, field

from ..api import errors, resources
from ..api.objects import clone, depth_exceeded
from ..api.resources import ResourceInfo
from . import admission, rbac
from .storage import Storage, WatchEvent, list_prefix, object_key

SERVICE_CIDR = "10.96.0.0/12"
NODE_PORT_RANGE = (30000, 32767)
GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
DEFAULT_GRACE = 30

# Kinds whose objects carry metadata.generation (their strategies set it).
_GENERATION_KINDS = {
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController",
    "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy", "CustomResourceDefinition",
    "FlowSchema", "PriorityLevelConfiguration", "ValidatingAdmissionPolicy", "MutatingAdmissionPolicy",
    "ResourceClaim", "DeviceClass", "ServiceCIDR",
}
# Resources whose "spec" is protected from main-resource updates by a status subresource.
_NO_STATUS = ("configmaps", "secrets", "serviceaccounts", "events", "endpoints", "leases", "endpointslices",
              "controllerrevisions", "podtemplates", "limitranges", "roles", "rolebindings", "clusterroles",
              "clusterrolebindings", "storageclasses", "priorityclasses", "ingressclasses", "runtimeclasses",
              "csidrivers", "csinodes", "csistoragecapacities", "mutatingwebhookconfigurations",
              "validatingwebhookconfigurations", "ipaddresses", "deviceclasses", "resourceslices",
              "resourceclaimtemplates", "volumeattributesclasses", "mutatingadmissionpolicybindings",
              "validatingadmissionpolicybindings", "mutatingadmissionpolicies")


_REVIEWS = {"SelfSubjectReview", "TokenReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
            "SubjectAccessReview", "LocalSubjectAccessReview"}


@dataclass
class RequestContext:
    """Who is asking, and how the request wants to be treated."""

    user: str = "kubernetes-admin"
    groups: tuple = ("system:masters", "system:authenticated")
    source: str = "kubectl"
    field_validation: str = "Strict"
    dry_run: bool = False
    warnings: list = field(default_factory=list)


def _group_kind(info: ResourceInfo) -> str:
    return info.kind


class APIServer:
    """The request path of kube-apiserver, over :class:`Storage`."""

    def __init__(self, storage: Storage, clock, rng, tracer=None, epoch: _dt.datetime | None = None,
                 version: str = "v1.37.0"):
        self.storage = storage
        self.clock = clock
        self.rng = rng
        self.tracer = tracer
        self.epoch = epoch or _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
        self.version = version
        self.admission_plugins = admission.DEFAULT_PLUGINS
        self.cache_scope = object()  # identifies this server's objects in shared caches
        self.tokens: dict[str, tuple[str, tuple]] = {}
        # kube-aggregator: API groups served by an extension API server behind an APIService
        # (group -> backend with .resources, .available() and .serve(info, namespace, name, query)).
        self.aggregated: dict[str, object] = {}
        self.authorizer = rbac.RBACAuthorizer(storage)

    # -- helpers ----------------------------------------------------------
    def now(self) -> _dt.datetime:
        return self.epoch + _dt.timedelta(seconds=self.clock.now)

    def timestamp(self, offset: float = 0.0) -> str:
        t = self.now() + _dt.timedelta(seconds=offset)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def new_uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def resolve(self, group: str, plural: str) -> ResourceInfo:
        info = resources.by_plural(group, plural)
        if info is None:
            raise errors.page_not_found()
        return info

    def _trace(self, ctx: RequestContext, verb: str, info: ResourceInfo, namespace, name="", sub="") -> None:
        if self.tracer is None:
            return
        what = info.plural + (f"/{sub}" if sub else "")
        target = f"{namespace}/{name}" if namespace and name else (name or namespace or "")
        self.tracer.record(ctx.source, "kube-apiserver", verb, what, target)

    def _authorize(self, ctx: RequestContext, verb: str, info: ResourceInfo, sub: str = "",
                   namespace: str | None = None, name: str = "") -> None:
        """Authorization (``--authorization-mode=Node,RBAC``): system:masters and the control plane's
        own components may do anything; everyone else needs an RBAC rule (see ``rbac.py``)."""
        if _privileged(ctx):
            return
        attrs = rbac.Attributes(ctx.user, tuple(ctx.groups), verb, (namespace or "") if info.namespaced else "",
                                info.group, info.plural, sub, name or "")
        allowed, reason = self.authorizer.authorize(attrs)
        if not allowed:
            msg = rbac.forbidden_message(attrs)
            raise errors.forbidden(info.plural, name or "", f"{msg}: {reason}" if reason else msg, info.group)

    authorize = _authorize  # for the HTTP front end's own subresources (log, exec)

    def authorize_path(self, ctx: RequestContext, verb: str, path: str) -> None:
        """Authorization of a non-resource URL (discovery, /openapi, /version, /healthz)."""
        if _privileged(ctx):
            return
        attrs = rbac.Attributes(ctx.user, tuple(ctx.groups), verb, path=path, resource_request=False)
        allowed, reason = self.authorizer.authorize(attrs)
        if not allowed:
            msg = rbac.forbidden_message(attrs)
            raise errors.StatusError(403, "Forbidden", f"forbidden: {msg}: {reason}" if reason else f"forbidden: {msg}")

    def _check_verb(self, info: ResourceInfo, verb: str) -> None:
        if verb not in info.verbs:
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")

    def _namespace(self, name: str | None) -> dict | None:
        if not name:
            return None
        return self.storage.get(object_key(resources.by_plural("", "namespaces"), None, name))

    def _list_objects(self, resource: str, namespace: str | None) -> list[dict]:
        from ..client.client import resolve_resource

        info = resolve_resource(resource)
        return self.storage.list(list_prefix(info, namespace if info.namespaced else None))

    def _admit(self, op: str, info, namespace, name, obj, old) -> None:
        req = admission.AdmissionRequest(op, info, namespace, name, obj, old, self._namespace, self._list_objects)
        admission.admit(req, self.admission_plugins)

    def _key(self, info, namespace, name) -> str:
        return object_key(info, namespace if info.namespaced else None, name)

    def _current(self, info: ResourceInfo, namespace, name) -> dict:
        obj = self.storage.get(self._key(info, namespace, name))
        if obj is None:
            raise errors.not_found(info.plural, name, info.group)
        return obj

    # -- read ---------------------------------------------------------------
    def get(self, info: ResourceInfo, namespace: str | None, name: str, ctx: RequestContext | None = None,
            copy: bool = True) -> dict:
        ctx = ctx or RequestContext()
        self._check_verb(info, "get")
        self._authorize(ctx, "get", info, "", namespace, name)
        self._trace(ctx, "GET", info, namespace, name)
        obj = self._current(info, namespace, name)
        return clone(obj) if copy else obj

    def list(self, info: ResourceInfo, namespace: str | None, ctx: RequestContext | None = None, *,
             label_selector: str = "", field_selector: str = "", limit: int = 0, continue_: str = "",
             copy: bool = True) -> dict:
        """List objects; ``copy=False`` returns the watch cache's own (read-only) objects."""
        ctx = ctx or RequestContext()
        self._check_verb(info, "list")
        self._authorize(ctx, "list", info, "", namespace)
        self._trace(ctx, "LIST", info, namespace)
        pred = self._predicate(info, label_selector, field_selector)
        name = _object_name_requirement(field_selector) if pred is not None else None
        if name is not None and (namespace or not info.namespaced):
            # metadata.name=<name> in one namespace (a kubelet's or kube-proxy's own Node):
            # at most one object, read by its key instead of filtering the whole resource.
            one = self.storage.get(object_key(info, namespace, name))
            items = [one] if one is not None else []
        else:
            items = self.storage.list(list_prefix(info, namespace))
        if pred is not None:
            items = [o for o in items if pred(o)]
        meta = {"resourceVersion": str(self.storage.revision)}
        if continue_:
            try:
                tok = json.loads(__import__("base64").urlsafe_b64decode(continue_.encode()).decode())
                start = tok["start"]
            except Exception:
                raise errors.bad_request("continue key is not valid: illegal base64 data at input byte 0")
            items = [o for o in items if _sort_key(o) > start]
        if limit > 0 and len(items) > limit:  # 0 or less: no limit
            rest = len(items) - limit
            items = items[:limit]
            token = json.dumps({"v": "meta.k8s.io/v1", "rv": self.storage.revision, "start": _sort_key(items[-1])})
            meta["continue"] = __import__("base64").urlsafe_b64encode(token.encode()).decode()
            meta["remainingItemCount"] = rest
        return {
            "kind": info.kind + "List",
            "apiVersion": info.group_version,
            "metadata": meta,
            "items": [clone(o) for o in items] if copy else items,
        }

    def _predicate(self, info: ResourceInfo, label_selector: str, field_selector: str):
        from ..api import selectors

        preds = []
        if label_selector:
            ls = selectors.parse_label_selector(label_selector)
            preds.append(lambda o: ls.matches(o.get("metadata", {}).get("labels") or {}))
        if field_selector:
            fs = selectors.parse_field_selector(field_selector)
            selectors.check_field_selector_supported(info, fs)
            fs = selectors.normalize_field_selector(fs)
            preds.append(fs.matches)
        if not preds:
            return None
        return lambda o: all(p(o) for p in preds)

    # -- create ---------------------------------------------------------------
    def create(self, info: ResourceInfo, namespace: str | None, obj, ctx: RequestContext | None = None,
               subresource: str = "") -> dict:
        ctx = ctx or RequestContext()
        if subresource:
            return self._create_subresource(info, namespace, obj, ctx, subresource)
        self._check_verb(info, "create")
        self._authorize(ctx, "create", info, "", namespace)
        if not isinstance(obj, dict):
            raise errors.bad_request(f"Object '{info.kind}' is invalid: expected a JSON object")
        if depth_exceeded(obj):
            raise errors.bad_request("couldn't get version/kind; json parse error: exceeded max depth")
        if info.kind in _REVIEWS:
            return self._review(info, obj, ctx)
        obj = clone(obj)
        self._check_type_meta(info, obj)
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            self._validate(info, obj, ctx)  # reports the decode error
        if info.namespaced:
            ns_in_obj = meta.get("namespace")
            if ns_in_obj and namespace and ns_in_obj != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = namespace or ns_in_obj or "default"
            namespace = meta["namespace"]
        else:
            meta.pop("namespace", None)
        self._validate(info, obj, ctx)
        if not meta.get("name") and meta.get("generateName") and isinstance(meta.get("generateName"), str):
            meta["name"] = meta["generateName"] + "".join(
                self.rng.choice(GENERATE_NAME_ALPHABET) for _ in range(5))
        name = meta.get("name") or ""
        self._trace(ctx, "POST", info, namespace, name)
        self._admit("CREATE", info, namespace, name, obj, None)
        # Server-managed metadata.
        for k in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                  "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields"):
            meta.pop(k, None)
        meta["uid"] = self.new_uid()
        meta["creationTimestamp"] = self.timestamp()
        if info.kind in _GENERATION_KINDS:
            meta["generation"] = 1
        self._defaults(info, obj, create=True)
        self._strategy_create(info, obj)
        self._validate_fields(info, obj)
        if ctx.dry_run:
            return obj
        key = self._key(info, namespace, name)
        return clone(self.storage.create(key, obj, info, name))

    def _check_type_meta(self, info: ResourceInfo, obj: dict) -> None:
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if av and av != info.group_version:
            raise errors.bad_request(
                f"the API version in the data ({av}) does not match the expected API version ({info.group_version})")
        if kind and kind != info.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({info.kind})")
        obj["apiVersion"], obj["kind"] = info.group_version, info.kind
        # keep apiVersion and kind first, as kube-apiserver serialises them
        rest = {k: obj.pop(k) for k in list(obj) if k not in ("apiVersion", "kind")}
        obj.update(rest)

    def _validate(self, info: ResourceInfo, obj: dict, ctx: RequestContext) -> None:
        """Decoding: types and unknown fields (400), as the object was sent."""
        from ..api import validation

        ctx.warnings.extend(validation.decode_check(obj, info, ctx.field_validation or "Warn") or [])

    def _validate_fields(self, info: ResourceInfo, obj: dict, subresource: str = "") -> None:
        """Field validation (422), on the object about to be stored."""
        from ..api import validation

        errs = validation.field_errors(obj, info, subresource)
        if errs:
            raise errors.invalid(info.kind, (obj.get("metadata") or {}).get("name") or "", errs, info.group)

    def _defaults(self, info: ResourceInfo, obj: dict, create: bool) -> None:
        from ..api import defaults

        defaults.apply_defaults(obj, info, create=create)

    def _strategy_create(self, info: ResourceInfo, obj: dict) -> None:
        """Per-resource PrepareForCreate, as the REST strategies do."""
        if info.group == "" and info.plural == "services":
            self._allocate_service(obj)
        if info.group == "" and info.plural == "pods":
            status = obj.setdefault("status", {})
            status.setdefault("phase", "Pending")

    # -- service IPs and ports (the service REST allocators) ------------------
    def _used_cluster_ips(self) -> set[str]:
        svc = resources.by_plural("", "services")
        out = set()
        for s in self.storage.list(list_prefix(svc, None)):
            for ip in s.get("spec", {}).get("clusterIPs") or [s.get("spec", {}).get("clusterIP")]:
                if ip and ip != "None":
                    out.add(ip)
        return out

    def _used_node_ports(self) -> set[int]:
        svc = resources.by_plural("", "services")
        out = set()
        for s in self.storage.list(list_prefix(svc, None)):
            for p in s.get("spec", {}).get("ports") or []:
                if p.get("nodePort"):
                    out.add(p["nodePort"])
        return out

    def _allocate_service(self, obj: dict) -> None:
        spec = obj.setdefault("spec", {})
        stype = spec.get("type", "ClusterIP")
        if stype == "ExternalName":
            return
        if spec.get("clusterIP") == "None":
            spec["clusterIPs"] = ["None"]
        else:
            net = ipaddress.ip_network(SERVICE_CIDR)
            used = self._used_cluster_ips()
            want = spec.get("clusterIP")
            if want:
                if want in used:
                    raise errors.invalid("Service", obj["metadata"].get("name", ""), [errors.FieldError(
                        "Invalid value", "spec.clusterIPs", [want],
                        "failed to allocate IP " + want + ": provided IP is already allocated")])
            else:
                size = net.num_addresses
                while True:
                    # 10.96.0.1 belongs to the kubernetes Service; .10 is kept for kube-dns.
                    off = self.rng.randrange(11, size - 1)
                    want = str(net.network_address + off)
                    if want not in used:
                        break
            spec["clusterIP"] = want
            spec["clusterIPs"] = [want]
        if stype in ("NodePort", "LoadBalancer"):
            used_ports = self._used_node_ports()
            for p in spec.get("ports") or []:
                if not p.get("nodePort"):
                    while True:
                        port = self.rng.randint(*NODE_PORT_RANGE)
                        if port not in used_ports:
                            break
                    p["nodePort"] = port
                    used_ports.add(port)
        if stype == "LoadBalancer":
            obj.setdefault("status", {}).setdefault("loadBalancer", {})
        else:
            obj.setdefault("status", {}).setdefault("loadBalancer", {})

    # -- update ---------------------------------------------------------------
    def update(self, info: ResourceInfo, namespace: str | None, name: str, obj, ctx: RequestContext | None = None,
               subresource: str = "") -> dict:
        ctx = ctx or RequestContext()
        self._check_verb(info, "update")
        self._authorize(ctx, "update", info, subresource, namespace, name)
        if not isinstance(obj, dict):
            raise errors.bad_request(f"Object '{info.kind}' is invalid: expected a JSON object")
        if depth_exceeded(obj):
            raise errors.bad_request("couldn't get version/kind; json parse error: exceeded max depth")
        if subresource == "scale":
            return self._update_scale(info, namespace, name, obj, ctx)
        if subresource not in ("", "status", "finalize"):
            raise errors.page_not_found()
        obj = clone(obj)
        self._check_type_meta(info, obj)
        if obj.get("metadata") is None:
            obj["metadata"] = {}  # JSON null decodes to an empty ObjectMeta
        meta = obj["metadata"]
        if isinstance(meta, dict):
            if meta.get("name") and meta["name"] != name:
                raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                         % (meta["name"], name))
            meta["name"] = name
            if info.namespaced:
                if meta.get("namespace") and meta["namespace"] != namespace:
                    raise errors.bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request")
                meta["namespace"] = namespace
        self._validate(info, obj, ctx)
        self._trace(ctx, "PUT", info, namespace, name, subresource)
        return self._apply_update(info, namespace, name, obj, ctx, subresource)

    def _apply_update(self, info, namespace, name, obj, ctx, subresource, *, old=None) -> dict:
        old = old if old is not None else self._current(info, namespace, name)
        meta = obj["metadata"]
        want_rv = meta.get("resourceVersion")
        if want_rv and want_rv != old["metadata"]["resourceVersion"]:
            raise errors.stale_conflict(info.plural, name, info.group)
        # Fields the server owns are carried over from the stored object.
        for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
            if k in old["metadata"]:
                meta[k] = old["metadata"][k]
            else:
                meta.pop(k, None)
        if meta.get("uid") != old["metadata"].get("uid"):
            meta["uid"] = old["metadata"]["uid"]
        has_status = info.plural not in _NO_STATUS and "status" in info.subresources
        if subresource == "status":
            # The status strategies keep the stored spec; annotations may change
            # (the deployment controller records revisions this way).
            new = clone(old)
            new["status"] = obj.get("status", {})
            annotations = (obj.get("metadata") or {}).get("annotations")
            if isinstance(annotations, dict) and info.plural != "pods":
                new["metadata"]["annotations"] = annotations
            obj = new
        elif subresource == "finalize":
            new = clone(old)
            new.setdefault("spec", {})["finalizers"] = (obj.get("spec") or {}).get("finalizers") or []
            obj = new
        elif has_status:
            if "status" in old:
                obj["status"] = clone(old["status"])
            else:
                obj.pop("status", None)
        self._defaults(info, obj, create=False)
        self._strategy_update(info, obj, old)
        if subresource == "" and info.kind in _GENERATION_KINDS:
            if _spec_of(obj) != _spec_of(old):
                meta["generation"] = old["metadata"].get("generation", 1) + 1
        self._validate_fields(info, obj, subresource)
        self._admit("UPDATE", info, namespace, name, obj, old)
        if ctx.dry_run:
            return obj
        key = self._key(info, namespace, name)
        rv = int(old["metadata"]["resourceVersion"])
        if self._finished_deleting(info, obj):
            return self.storage.delete(key, rv, info, name)
        if _strip_rv(obj) == _strip_rv(old):
            return clone(old)  # a no-op update does not write to etcd
        return clone(self.storage.update(key, obj, rv, info, name))

    def _strategy_update(self, info: ResourceInfo, obj: dict, old: dict) -> None:
        if info.group == "" and info.plural == "services":
            spec, ospec = obj.setdefault("spec", {}), old.get("spec", {})
            if not spec.get("clusterIP") and ospec.get("clusterIP"):
                spec["clusterIP"] = ospec["clusterIP"]
                spec["clusterIPs"] = ospec.get("clusterIPs", [ospec["clusterIP"]])
            old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
                         for p in ospec.get("ports") or []}
            for p in spec.get("ports") or []:
                if not p.get("nodePort") and old_ports.get((p.get("port"), p.get("protocol", "TCP"))):
                    p["nodePort"] = old_ports[(p.get("port"), p.get("protocol", "TCP"))]
            if spec.get("type") in ("NodePort", "LoadBalancer") and any(
                    not p.get("nodePort") for p in spec.get("ports") or []):
                self._allocate_service(obj)
        if info.group == "" and info.plural == "namespaces":
            obj.setdefault("status", {})["phase"] = old.get("status", {}).get("phase", "Active")

    @staticmethod
    def _finished_deleting(info: ResourceInfo, obj: dict) -> bool:
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return False
        if info.group == "" and info.plural == "namespaces":
            return not (obj.get("spec") or {}).get("finalizers")
        if info.group == "" and info.plural == "pods":
            # A graceful deletion is finished by the kubelet's own delete call;
            # one with no grace left ends when the last finalizer goes.
            return (meta.get("deletionGracePeriodSeconds") or 0) == 0
        return True

    # -- patch ----------------------------------------------------------------
    def patch(self, info: ResourceInfo, namespace: str | None, name: str, body, content_type: str,
              ctx: RequestContext | None = None, subresource: str = "") -> dict:
        from ..api import patch as patching
        from ..api import schema

        ctx = ctx or RequestContext()
        self._check_verb(info, "patch")
        self._authorize(ctx, "patch", info, subresource, namespace, name)
        ct = (content_type or "").split(";")[0].strip()
        if ct == "application/apply-patch+yaml":
            raise errors.StatusError(415, "UnsupportedMediaType",
                                     "server-side apply is not supported by this simulated cluster; "
                                     "use client-side `kubectl apply` (without --server-side)")
        if ct not in ("application/strategic-merge-patch+json", "application/merge-patch+json",
                      "application/json-patch+json"):
            raise errors.StatusError(415, "UnsupportedMediaType",
                                     "the body of the request was in an unknown format - accepted media types "
                                     "include: application/json-patch+json, application/merge-patch+json, "
                                     "application/apply-patch+yaml, application/strategic-merge-patch+json")
        if subresource == "scale":
            current = self.get_scale(info, namespace, name, ctx)
            patched = patching.apply_patch(current, body, ct, schema.definition_name("autoscaling", "v1", "Scale"))
            return self._update_scale(info, namespace, name, patched, ctx)
        if subresource not in ("", "status"):
            raise errors.page_not_found()
        old = self._current(info, namespace, name)
        definition = schema.definition_name(info.group, info.version, info.kind)
        patched = patching.apply_patch(clone(old), body, ct, definition,
                                       field_validation=ctx.field_validation or "Warn")
        if not isinstance(patched, dict):
            raise errors.bad_request("patched object is not a JSON object")
        if patched.get("metadata") is None:
            patched["metadata"] = {}
        if isinstance(patched["metadata"], dict):
            # A patch may carry a resourceVersion precondition; otherwise it applies to the current object.
            if not _rv_in_patch(body):
                patched["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            patched["metadata"]["name"] = name
            if info.namespaced:
                patched["metadata"]["namespace"] = namespace
        self._check_type_meta(info, patched)
        self._validate(info, patched, ctx)
        self._trace(ctx, "PATCH", info, namespace, name, subresource)
        return self._apply_update(info, namespace, name, patched, ctx, subresource, old=old)

    # -- delete ---------------------------------------------------------------
    def delete(self, info: ResourceInfo, namespace: str | None, name: str, ctx: RequestContext | None = None,
               options: dict | None = None) -> dict:
        ctx = ctx or RequestContext()
        self._check_verb(info, "delete")
        self._authorize(ctx, "delete", info, "", namespace, name)
        options = options or {}
        self._trace(ctx, "DELETE", info, namespace, name)
        self._admit("DELETE", info, namespace, name, None, None)
        old = self._current(info, namespace, name)
        pre = options.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != old["metadata"].get("uid"):
            raise errors.conflict(info.plural, name,
                                  f"Precondition failed: UID in precondition: {pre['uid']}, "
                                  f"UID in object meta: {old['metadata'].get('uid')}", info.group)
        if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"]["resourceVersion"]:
            raise errors.conflict(info.plural, name,
                                  f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                                  f"ResourceVersion in object meta: {old['metadata']['resourceVersion']}",
                                  info.group)
        key = self._key(info, namespace, name)
        rv = int(old["metadata"]["resourceVersion"])
        new = clone(old)
        meta = new["metadata"]
        policy = options.get("propagationPolicy")
        if options.get("orphanDependents") is True:
            policy = "Orphan"
        if info.group == "" and info.plural == "namespaces":
            if meta.get("deletionTimestamp"):
                return clone(old)
            meta["deletionTimestamp"] = self.timestamp()
            meta["deletionGracePeriodSeconds"] = 0
            new.setdefault("status", {})["phase"] = "Terminating"
            if not (new.get("spec") or {}).get("finalizers") and not meta.get("finalizers"):
                return self.storage.delete(key, rv, info, name)
            return clone(self.storage.update(key, new, rv, info, name))
        grace = self._grace_period(info, old, options)
        finalizers = list(meta.get("finalizers") or [])
        if policy in ("Foreground", "Orphan") and self.gc_finalizers_enabled:
            fin = "foregroundDeletion" if policy == "Foreground" else "orphan"
            if fin not in finalizers:
                finalizers.append(fin)
        if finalizers or grace > 0:
            if meta.get("deletionTimestamp"):
                # Already terminating: a shorter grace period may still shorten it.
                if grace < (meta.get("deletionGracePeriodSeconds") or 0):
                    meta["deletionGracePeriodSeconds"] = grace
                    meta["deletionTimestamp"] = self.timestamp(grace)
                    return clone(self.storage.update(key, new, rv, info, name))
                return clone(old)
            meta["deletionTimestamp"] = self.timestamp(grace)
            meta["deletionGracePeriodSeconds"] = grace
            if finalizers:
                meta["finalizers"] = finalizers
            if "generation" in meta:
                meta["generation"] = meta["generation"] + 1
            return clone(self.storage.update(key, new, rv, info, name))
        return self.storage.delete(key, rv, info, name)

    # Foreground and Orphan deletion add the finalizers that the garbage
    # collector in kube-controller-manager honours.
    gc_finalizers_enabled = True

    @staticmethod
    def _grace_period(info: ResourceInfo, obj: dict, options: dict) -> int:
        if not (info.group == "" and info.plural == "pods"):
            return 0
        spec = obj.get("spec") or {}
        phase = (obj.get("status") or {}).get("phase")
        if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
            return 0
        g = options.get("gracePeriodSeconds")
        if g is None:
            g = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
        return max(0, int(g))

    def delete_collection(self, info: ResourceInfo, namespace: str | None, ctx: RequestContext | None = None, *,
                          label_selector: str = "", field_selector: str = "", options: dict | None = None) -> dict:
        ctx = ctx or RequestContext()
        self._check_verb(info, "deletecollection")
        self._authorize(ctx, "deletecollection", info, "", namespace)
        # The collection is deleted under the one authorization, as the registry's DeleteCollection does.
        inner = RequestContext(source=ctx.source, dry_run=ctx.dry_run)
        lst = self.list(info, namespace, inner, label_selector=label_selector, field_selector=field_selector)
        out = []
        for o in lst["items"]:
            try:
                out.append(self.delete(info, o["metadata"].get("namespace"), o["metadata"]["name"], inner, options))
            except errors.StatusError as e:
                if e.code != 404:
                    raise
        lst["items"] = out
        return lst

    # -- subresources -----------------------------------------------------------
    def _create_subresource(self, info: ResourceInfo, namespace, obj, ctx: RequestContext, sub: str) -> dict:
        name, sub = sub.split("/", 1) if "/" in sub else ("", sub)
        self._authorize(ctx, "create", info, sub, namespace, name)
        if info.plural == "pods" and sub == "binding":
            return self.bind(namespace, name, obj, ctx)
        if info.plural == "serviceaccounts" and sub == "token":
            return self._create_token(namespace, name, obj, ctx)
        if info.plural == "pods" and sub == "eviction":
            return self.delete(info, namespace, name, ctx, (obj or {}).get("deleteOptions") or {})
        raise errors.method_not_allowed("the server does not allow this method on the requested resource")

    def _review(self, info: ResourceInfo, obj: dict, ctx: RequestContext) -> dict:
        """Reviews are answered, never stored (authentication.k8s.io, authorization.k8s.io)."""
        self._trace(ctx, "POST", info, None, "")
        out = clone(obj)
        out["apiVersion"], out["kind"] = info.group_version, info.kind
        out.setdefault("metadata", {})["creationTimestamp"] = None
        spec = out.get("spec") if isinstance(out.get("spec"), dict) else {}
        if info.kind == "SelfSubjectReview":
            out["status"] = {"userInfo": {"username": ctx.user, "groups": list(ctx.groups)}}
            return out
        if info.kind == "TokenReview":
            from .authn import authenticate_token

            who = authenticate_token(self, str(spec.get("token") or ""))
            out["status"] = {"authenticated": True, "user": {"username": who[0], "groups": list(who[1])},
                             "audiences": ["https://kubernetes.default.svc.cluster.local"]} if who else \
                {"authenticated": False, "error": "invalid bearer token"}
            return out
        user, groups = ctx.user, tuple(ctx.groups)
        if info.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
            user, groups = str(spec.get("user") or ""), tuple(spec.get("groups") or ())
        if info.kind == "SelfSubjectRulesReview":
            ns = str(spec.get("namespace") or "")
            res, nonres, incomplete = self.authorizer.rules_for(user, groups, ns)
            out["status"] = {"resourceRules": res, "nonResourceRules": nonres, "incomplete": incomplete}
            return out
        ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
        if isinstance(ra, dict):
            ns = str(ra.get("namespace") or "")
            if info.kind == "LocalSubjectAccessReview":
                ns = (out.get("metadata") or {}).get("namespace") or ns
            attrs = rbac.Attributes(user, groups, str(ra.get("verb") or ""), ns, str(ra.get("group") or ""),
                                    str(ra.get("resource") or ""), str(ra.get("subresource") or ""),
                                    str(ra.get("name") or ""))
        elif isinstance(nra, dict):
            attrs = rbac.Attributes(user, groups, str(nra.get("verb") or ""), path=str(nra.get("path") or ""),
                                    resource_request=False)
        else:
            raise errors.invalid(info.kind, "", [errors.FieldError(
                "Invalid value", "spec.resourceAttributes", "null",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified")], info.group)
        if "system:masters" in groups:
            out["status"] = {"allowed": True}
        else:
            allowed, reason = self.authorizer.authorize(attrs)
            out["status"] = {"allowed": allowed}
            if reason:
                out["status"]["reason"] = reason
        return out

    def _create_token(self, namespace: str, name: str, obj: dict, ctx: RequestContext) -> dict:
        """POST serviceaccounts/<name>/token: a TokenRequest (the token is a simulated JWT)."""
        from .authn import sign_service_account_token

        sa = self._current(resources.by_plural("", "serviceaccounts"), namespace, name)
        seconds = ((obj or {}).get("spec") or {}).get("expirationSeconds") or 3600
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 600:
            raise errors.invalid("TokenRequest", name, [errors.FieldError(
                "Invalid value", "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")],
                "authentication.k8s.io")
        ref = ((obj or {}).get("spec") or {}).get("boundObjectRef") or None
        pod = None
        if isinstance(ref, dict) and ref.get("kind") == "Pod" and ref.get("name"):
            pod = {"metadata": {"name": ref["name"], "uid": ref.get("uid", "")}}
        token, claims = sign_service_account_token(self, namespace, name, sa["metadata"]["uid"], seconds, pod)
        return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"name": name, "namespace": namespace, "creationTimestamp": None},
                "spec": {"audiences": claims["aud"], "expirationSeconds": seconds, "boundObjectRef": ref},
                "status": {"token": token, "expirationTimestamp": self.timestamp(seconds)}}

    def bind(self, namespace: str, name: str, binding: dict, ctx: RequestContext | None = None) -> dict:
        """POST pods/<name>/binding: the scheduler's way to place a pod on a node."""
        ctx = ctx or RequestContext()
        pods = resources.by_plural("", "pods")
        self._trace(ctx, "POST", pods, namespace, name, "binding")
        if not isinstance(binding, dict) or not isinstance(binding.get("target") or {}, dict):
            raise errors.bad_request("json: cannot unmarshal into Go struct field Binding.target of type "
                                     "v1.ObjectReference")
        target = binding.get("target") or {}
        node = target.get("name")
        if not node:
            raise errors.invalid("Binding", name, [errors.FieldError("Required value", "target.name")])
        pod = self._current(pods, namespace, name)
        if pod["metadata"].get("deletionTimestamp"):
            raise errors.conflict("pods", name, "pod is being deleted, cannot be assigned to a host")
        current = (pod.get("spec") or {}).get("nodeName")
        if current:
            raise errors.conflict("pods", name, f'pod {name} is already assigned to node "{current}"')
        new = clone(pod)
        new["spec"]["nodeName"] = node
        conds = [c for c in new.setdefault("status", {}).get("conditions", []) if c.get("type") != "PodScheduled"]
        conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                      "lastTransitionTime": self.timestamp()})
        new["status"]["conditions"] = conds
        key = self._key(pods, namespace, name)
        self.storage.update(key, new, int(pod["metadata"]["resourceVersion"]), pods, name)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}

    def get_scale(self, info: ResourceInfo, namespace, name, ctx: RequestContext | None = None) -> dict:
        if "scale" not in info.subresources:
            raise errors.page_not_found()
        self._authorize(ctx or RequestContext(), "get", info, "scale", namespace, name)
        obj = self._current(info, namespace, name)
        from ..api import selectors

        sel = (obj.get("spec") or {}).get("selector")
        if isinstance(sel, dict) and ("matchLabels" in sel or "matchExpressions" in sel):
            sel_str = selectors.format_label_selector(sel)
        elif isinstance(sel, dict):
            sel_str = ",".join(f"{k}={v}" for k, v in sorted(sel.items()))
        else:
            sel_str = ""
        return {
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": name, "namespace": namespace, "uid": obj["metadata"]["uid"],
                         "resourceVersion": obj["metadata"]["resourceVersion"],
                         "creationTimestamp": obj["metadata"]["creationTimestamp"]},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": sel_str},
        }

    def _update_scale(self, info, namespace, name, scale: dict, ctx: RequestContext) -> dict:
        if "scale" not in info.subresources:
            raise errors.page_not_found()
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise errors.invalid("Scale", name, [errors.FieldError(
                "Invalid value", "spec.replicas", replicas, "must be greater than or equal to 0")],
                "autoscaling")
        old = self._current(info, namespace, name)
        want_rv = (scale.get("metadata") or {}).get("resourceVersion")
        if want_rv and want_rv != old["metadata"]["resourceVersion"]:
            raise errors.stale_conflict(info.plural, name, info.group)
        new = clone(old)
        new["spec"]["replicas"] = replicas
        self._trace(ctx, "PUT", info, namespace, name, "scale")
        self._apply_update(info, namespace, name, new, ctx, "", old=old)
        return self.get_scale(info, namespace, name, ctx)

    # -- watch ----------------------------------------------------------------
    def watch(self, info: ResourceInfo, namespace: str | None, deliver, ctx: RequestContext | None = None, *,
              resource_version: str = "", label_selector: str = "", field_selector: str = "",
              send_initial_events: bool | None = None, allow_bookmarks: bool = False):
        """Start a watch; ``deliver(WatchEvent)`` is called for each event.

        With no resourceVersion (or "0"), or with sendInitialEvents, the
        current objects come first as ADDED events, as kube-apiserver does.
        """
        ctx = ctx or RequestContext()
        self._check_verb(info, "watch")
        self._authorize(ctx, "watch", info, "", namespace)
        self._trace(ctx, "WATCH", info, namespace)
        pred = self._predicate(info, label_selector, field_selector)
        prefix = list_prefix(info, namespace)
        node_name = _node_name_requirement(info, field_selector)
        object_name = _object_name_requirement(field_selector)
        initial = send_initial_events if send_initial_events is not None else resource_version in ("", "0")
        if initial:
            since = self.storage.revision
            for o in self.storage.list(prefix):
                if pred is None or pred(o):
                    deliver(WatchEvent("ADDED", clone(o), int(o["metadata"]["resourceVersion"])))
            w = self.storage.watch(prefix, deliver, since=since, predicate=pred, node_name=node_name,
                                   object_name=object_name)
            if send_initial_events:
                deliver(WatchEvent("BOOKMARK", {
                    "kind": info.kind, "apiVersion": info.group_version,
                    "metadata": {"resourceVersion": str(since),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}}, since))
            return w
        try:
            since = int(resource_version)
        except ValueError:
            raise errors.bad_request(f'invalid resource version: {resource_version}')
        return self.storage.watch(prefix, deliver, since=since, predicate=pred, node_name=node_name,
                                   object_name=object_name)

    def stop_watch(self, w) -> None:
        self.storage.stop_watch(w)

    # -- maintenance --------------------------------------------------------------
    def schedule_compaction(self, loop, interval: float = 300.0) -> None:
        """Compact etcd every ``interval`` seconds (kube-apiserver's --etcd-compaction-interval=5m),
        up to the revision seen at the previous tick."""
        state = {"rev": self.storage.revision}

        def tick():
            rev, state["rev"] = state["rev"], self.storage.revision
            raft = self.storage.raft
            if rev > self.storage.etcd.compacted_revision and (raft is None or raft.has_quorum()):
                self.storage.compact(rev)
            loop.call_later(interval, tick, "kube-apiserver compaction", background=True)

        loop.call_later(interval, tick, "kube-apiserver compaction", background=True)

    def aggregated_resources(self) -> list:
        """The resources of the aggregated APIs that answer now (discovery lists only those)."""
        return [r for backend in self.aggregated.values() if backend.available() for r in backend.resources]

    def start_etcd_members(self, members: list[tuple[str, str]], log=None) -> None:
        """Put raft between this server and its store: one etcd member per master
        (``members`` are ``(name, ip)``); ``log(member, line)`` receives each member's log lines."""
        from ..etcd.raft import Raft

        self.storage.raft = Raft(self.clock, members, log=log, wall=self.now)

    @property
    def etcd(self):
        """etcd's members and their raft state (None before the masters start)."""
        return self.storage.raft

    def etcdctl(self, member: str, args: list[str]) -> tuple[int, str]:
        """``etcdctl`` run inside the etcd pod of ``member``."""
        from ..etcd import etcdctl

        return etcdctl.run(self.storage.raft, self.storage.etcd, member, args)

    def etcd_keys(self, prefix: str = "/registry/") -> list[str]:
        """The keys in etcd under ``prefix`` (for the course: what etcd holds)."""
        return [kv.key for kv in self.storage.etcd.range(prefix)[0]]


def _privileged(ctx: RequestContext) -> bool:
    """system:masters and the control plane's own components (``system:kube-scheduler``, ``system:node:...``)
    pass authorization without RBAC; service accounts and anonymous requests never do."""
    if "system:masters" in ctx.groups:
        return True
    return ctx.user.startswith("system:") and not ctx.user.startswith(("system:serviceaccount:", "system:anonymous"))


def _node_name_requirement(info: ResourceInfo, field_selector: str) -> str | None:
    """The node of a ``spec.nodeName=<node>`` pod field selector (an indexed watch), if any."""
    if info.group != "" or info.plural != "pods" or not field_selector:
        return None
    from ..api import selectors

    for name, op, value in selectors.normalize_field_selector(
            selectors.parse_field_selector(field_selector)).requirements():
        if name == "spec.nodeName" and op in ("=", "==") and value:
            return value
    return None


def _object_name_requirement(field_selector: str) -> str | None:
    """The name of a ``metadata.name=<name>`` field selector (a watch indexed by name), if any."""
    if "metadata.name" not in field_selector:
        return None
    from ..api import selectors

    for name, op, value in selectors.normalize_field_selector(
            selectors.parse_field_selector(field_selector)).requirements():
        if name == "metadata.name" and op in ("=", "==") and value:
            return value
    return None


def _spec_of(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _strip_rv(obj: dict) -> dict:
    o = dict(obj)
    m = dict(o.get("metadata") or {})
    m.pop("resourceVersion", None)
    o["metadata"] = m
    return o


def _rv_in_patch(body) -> bool:
    try:
        data = json.loads(body) if isinstance(body, (bytes, str)) else body
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("metadata"), dict) and \
        bool(data["metadata"].get("resourceVersion"))


def _sort_key(obj: dict) -> str:
    m = obj.get("metadata", {})
    return f"{m.get('namespace', '')}/{m.get('name', '')}"
