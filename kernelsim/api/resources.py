"""The built-in API resources of a v1.37 kube-apiserver.

This is what ``kubectl api-resources`` lists against a real cluster: every
resource with its group, version, kind, plural and singular names, short
names, categories, scope and verbs.  Discovery serves all of them from the
start, so kubectl's behaviour does not change when the simulation learns to
store more of them.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list", "watch")


@dataclass(frozen=True)
class ResourceInfo:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple = ()
    categories: tuple = ()
    verbs: tuple = ALL_VERBS
    subresources: tuple = ()  # e.g. ("status", "scale")
    singular: str = ""

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    api_version = group_version

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()

    @property
    def group_resource(self) -> str:
        """``pods`` or ``deployments.apps``, as in error messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def etcd_prefix(self) -> str:
        """The key prefix kube-apiserver uses in etcd (``/registry/<resource>``)."""
        return "/registry/" + _ETCD_NAMES.get((self.group, self.plural), self.plural)


# Resources whose etcd path differs from their plural name, as in kube-apiserver.
_ETCD_NAMES = {
    ("", "services"): "services/specs",
    ("", "endpoints"): "services/endpoints",
    ("", "nodes"): "minions",
    ("", "replicationcontrollers"): "controllers",
    ("coordination.k8s.io", "leases"): "leases",
    ("apps", "deployments"): "deployments",
    ("discovery.k8s.io", "endpointslices"): "endpointslices",
    ("events.k8s.io", "events"): "events",
    ("networking.k8s.io", "ingresses"): "ingress",
    ("policy", "poddisruptionbudgets"): "poddisruptionbudgets",
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): "validatingwebhookconfigurations",
}

_ALL = ("all",)
_R = ResourceInfo

REGISTRY: tuple[ResourceInfo, ...] = (
    # core/v1
    _R("", "v1", "Binding", "bindings", True, verbs=("create",)),
    _R("", "v1", "ComponentStatus", "componentstatuses", False, ("cs",), verbs=("get", "list")),
    _R("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    _R("", "v1", "Endpoints", "endpoints", True, ("ep",)),
    _R("", "v1", "Event", "events", True, ("ev",)),
    _R("", "v1", "LimitRange", "limitranges", True, ("limits",)),
    _R("", "v1", "Namespace", "namespaces", False, ("ns",),
       verbs=("create", "delete", "get", "list", "patch", "update", "watch"), subresources=("finalize", "status")),
    _R("", "v1", "Node", "nodes", False, ("no",), subresources=("proxy", "status")),
    _R("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), subresources=("status",)),
    _R("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",), subresources=("status",)),
    _R("", "v1", "Pod", "pods", True, ("po",), _ALL,
       subresources=("attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward",
                     "proxy", "resize", "status")),
    _R("", "v1", "PodTemplate", "podtemplates", True),
    _R("", "v1", "ReplicationController", "replicationcontrollers", True, ("rc",), _ALL,
       subresources=("scale", "status")),
    _R("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",), subresources=("status",)),
    _R("", "v1", "Secret", "secrets", True),
    _R("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",), subresources=("token",)),
    _R("", "v1", "Service", "services", True, ("svc",), _ALL, subresources=("proxy", "status")),
    # admissionregistration.k8s.io/v1
    _R("admissionregistration.k8s.io", "v1", "MutatingAdmissionPolicy", "mutatingadmissionpolicies", False,
       categories=("api-extensions",)),
    _R("admissionregistration.k8s.io", "v1", "MutatingAdmissionPolicyBinding", "mutatingadmissionpolicybindings",
       False, categories=("api-extensions",)),
    _R("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False,
       categories=("api-extensions",)),
    _R("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", False,
       categories=("api-extensions",), subresources=("status",)),
    _R("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings",
       False, categories=("api-extensions",)),
    _R("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
       False, categories=("api-extensions",)),
    # apiextensions / apiregistration
    _R("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False, ("crd", "crds"),
       ("api-extensions",), subresources=("status",)),
    _R("apiregistration.k8s.io", "v1", "APIService", "apiservices", False, categories=("api-extensions",),
       subresources=("status",)),
    # apps/v1
    _R("apps", "v1", "ControllerRevision", "controllerrevisions", True),
    _R("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",), _ALL, subresources=("status",)),
    _R("apps", "v1", "Deployment", "deployments", True, ("deploy",), _ALL, subresources=("scale", "status")),
    _R("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), _ALL, subresources=("scale", "status")),
    _R("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",), _ALL, subresources=("scale", "status")),
    # authentication / authorization
    _R("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False, verbs=("create",)),
    _R("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False, verbs=("create",)),
    _R("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", True, verbs=("create",)),
    _R("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, verbs=("create",)),
    _R("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, verbs=("create",)),
    _R("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False, verbs=("create",)),
    # autoscaling / batch
    _R("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",), _ALL,
       subresources=("status",)),
    _R("batch", "v1", "CronJob", "cronjobs", True, ("cj",), _ALL, subresources=("status",)),
    _R("batch", "v1", "Job", "jobs", True, (), _ALL, subresources=("status",)),
    # certificates / coordination / discovery / events
    _R("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", False, ("csr",),
       subresources=("approval", "status")),
    _R("coordination.k8s.io", "v1", "Lease", "leases", True),
    _R("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True),
    _R("events.k8s.io", "v1", "Event", "events", True, ("ev",)),
    # flowcontrol
    _R("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "flowschemas", False, subresources=("status",)),
    _R("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration", "prioritylevelconfigurations", False,
       subresources=("status",)),
    # networking
    _R("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    _R("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",), subresources=("status",)),
    _R("networking.k8s.io", "v1", "IPAddress", "ipaddresses", False, ("ip",)),
    _R("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",)),
    _R("networking.k8s.io", "v1", "ServiceCIDR", "servicecidrs", False, subresources=("status",)),
    # node / policy / rbac / resource / scheduling / storage
    _R("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False),
    _R("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), subresources=("status",)),
    _R("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _R("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    _R("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    _R("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    _R("resource.k8s.io", "v1", "DeviceClass", "deviceclasses", False),
    _R("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims", True, subresources=("status",)),
    _R("resource.k8s.io", "v1", "ResourceClaimTemplate", "resourceclaimtemplates", True),
    _R("resource.k8s.io", "v1", "ResourceSlice", "resourceslices", False),
    _R("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, ("pc",)),
    _R("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
    _R("storage.k8s.io", "v1", "CSINode", "csinodes", False),
    _R("storage.k8s.io", "v1", "CSIStorageCapacity", "csistoragecapacities", True),
    _R("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    _R("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False, subresources=("status",)),
    _R("storage.k8s.io", "v1", "VolumeAttributesClass", "volumeattributesclasses", False, ("vac",)),
    _R("storagemigration.k8s.io", "v1", "StorageVersionMigration", "storageversionmigrations", False,
       subresources=("status",)),
)

_BY_PLURAL = {(r.group, r.plural): r for r in REGISTRY}
_BY_KIND = {(r.group, r.kind): r for r in REGISTRY}


def by_plural(group: str, plural: str) -> ResourceInfo | None:
    return _BY_PLURAL.get((group, plural))


def by_kind(group: str, kind: str) -> ResourceInfo | None:
    return _BY_KIND.get((group, kind))


def by_api_version_kind(api_version: str, kind: str) -> ResourceInfo | None:
    group, _, version = api_version.rpartition("/")
    r = by_kind(group, kind)
    if r is not None and r.version == version:
        return r
    return None


def groups() -> list[tuple[str, str]]:
    """(group, version) pairs in discovery order; the core group first."""
    seen: list[tuple[str, str]] = []
    for r in REGISTRY:
        if (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    return seen
