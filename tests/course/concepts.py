"""Every concept of the chapter ("Kubernetes basic concepts") and the notebook(s) that demonstrate it.

A concept is covered when each listed notebook has, in a code cell, every ``code`` snippet (a runnable
demonstration) and, in its markdown in both languages, every ``text`` word.  Concepts whose notebooks
come in the course's second wave are ``pending`` with a reason: the coverage test reports them, and
fails once such a concept is demonstrated so that the flag gets dropped.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    name: str
    notebooks: tuple
    code: tuple = ()
    text: tuple = ()
    pending: bool = False
    reason: str = ""


NEEDS_DIAGRAM = "cluster.diagram() (the live architecture widget) is not built yet"
NEEDS_NODES = "nodes, kubelets and the scheduler are not in the simulator yet (pods stay Pending)"
NEEDS_CONTROL_PLANE = "notebook 03 (the master's components) comes in the second wave"
NEEDS_ADDONS = "the addons (network, DNS, dashboard, monitoring, logging) are not in the simulator yet"
NEEDS_CONTROLLERS = "the workload controllers are not in the simulator yet"

CONCEPTS = [
    # -- using the course (issue: getting started) --------------------------------------------
    Concept("starting a simulated cluster", ("01_getting_started",), code=("kernelsim.Cluster()",)),
    Concept("%kubectl line magic", ("01_getting_started",), code=("%load_ext kernelsim", "%kubectl get namespaces")),
    Concept("%%kubectl apply -f - cell magic", ("01_getting_started",), code=("%%kubectl apply -f -",)),
    Concept("cluster.kubectl() result", ("01_getting_started",), code=("r.returncode", "r.stdout", "r.stderr")),
    Concept("simulated time: play, pause, advance, settle", ("01_getting_started",),
            code=("cluster.play(speed=", "cluster.pause()", "cluster.advance(60)", "cluster.settle()")),
    Concept("kubectl wait", ("01_getting_started", "07_namespaces"), code=("%kubectl wait --for=delete",)),
    Concept("request trace", ("01_getting_started",), code=("cluster.trace(last=5)",)),
    Concept("kubectl -v=6 shows the HTTP calls", ("01_getting_started",), code=("get pods -v=6",)),
    Concept("the live architecture diagram", ("01_getting_started", "02_cluster_architecture"),
            code=("cluster.diagram()",), pending=True, reason=NEEDS_DIAGRAM),

    # -- the whole cluster -------------------------------------------------------------------
    Concept("master (control plane)", ("02_cluster_architecture",), code=("cluster.diagram()",),
            pending=True, reason=NEEDS_DIAGRAM),
    Concept("3 or 5 masters for high availability", ("03_master_components",), code=("kernelsim.Cluster(masters=3",),
            pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("kubelet on the master; hyperkube is gone", ("03_master_components",), text=("hyperkube",),
            pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("kube-apiserver: the only door to etcd", ("01_getting_started",), code=("cluster.trace(",),
            text=("kube-apiserver", "etcd")),
    Concept("kube-apiserver: validation of requests", ("08_templates",), code=("imgae:", "containerPort: eighty")),
    Concept("kube-apiserver component", ("03_master_components",), code=("get pods -v=6",),
            pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("etcd: keys under /registry, watch, raft", ("03_master_components",), code=("/registry/",),
            pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("kube-scheduler", ("03_master_components",), text=("kube-scheduler",), code=("nodeName",),
            pending=True, reason=NEEDS_NODES),
    Concept("kube-controller-manager", ("03_master_components",), text=("kube-controller-manager",),
            code=("kube-controller-manager",), pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("cloud-controller-manager", ("03_master_components",), text=("cloud-controller-manager",),
            code=("cloud-controller-manager",), pending=True, reason=NEEDS_CONTROL_PLANE),
    Concept("node", ("04_node_components",), code=("%kubectl get nodes",), pending=True, reason=NEEDS_NODES),
    Concept("kubelet: PodSpecs, health checks, only its own containers", ("04_node_components",),
            code=("livenessProbe",), pending=True, reason=NEEDS_NODES),
    Concept("kube-proxy", ("04_node_components",), text=("kube-proxy",), code=("kube-proxy",),
            pending=True, reason=NEEDS_NODES),
    Concept("container runtime (containerd, runc, Docker today)", ("04_node_components",),
            text=("containerd",), code=("containerRuntimeVersion",), pending=True, reason=NEEDS_NODES),

    # -- addons ------------------------------------------------------------------------------
    Concept("networking addon", ("05_addons",), text=("CNI",), pending=True, reason=NEEDS_ADDONS),
    Concept("DNS addon", ("05_addons",), text=("CoreDNS",), pending=True, reason=NEEDS_ADDONS),
    Concept("dashboard addon", ("05_addons",), text=("dashboard",), pending=True, reason=NEEDS_ADDONS),
    Concept("container resource monitoring (cAdvisor)", ("05_addons",), text=("cAdvisor",),
            pending=True, reason=NEEDS_ADDONS),
    Concept("cluster logging (EFK, ELK)", ("05_addons",), text=("EFK", "ELK"), pending=True, reason=NEEDS_ADDONS),

    # -- objects and controllers -------------------------------------------------------------
    Concept("desired state and current state", ("06_objects_and_controllers",), code=("replicas",),
            pending=True, reason=NEEDS_CONTROLLERS),
    Concept("Pod", ("06_objects_and_controllers",), code=("kind: Pod",), pending=True, reason=NEEDS_NODES),
    Concept("Service", ("06_objects_and_controllers",), code=("kind: Service",), pending=True, reason=NEEDS_NODES),
    Concept("Volume", ("06_objects_and_controllers",), code=("volumes:",), pending=True, reason=NEEDS_NODES),
    Concept("Namespace", ("07_namespaces",), code=("kind: Namespace", "%kubectl create namespace")),
    Concept("ReplicaSet", ("06_objects_and_controllers",), code=("kind: ReplicaSet",),
            pending=True, reason=NEEDS_CONTROLLERS),
    Concept("Deployment", ("06_objects_and_controllers",), code=("kind: Deployment",),
            pending=True, reason=NEEDS_CONTROLLERS),
    Concept("StatefulSet", ("06_objects_and_controllers",), code=("kind: StatefulSet",),
            pending=True, reason=NEEDS_CONTROLLERS),
    Concept("DaemonSet", ("06_objects_and_controllers",), code=("kind: DaemonSet",),
            pending=True, reason=NEEDS_CONTROLLERS),
    Concept("Job", ("06_objects_and_controllers",), code=("kind: Job",), pending=True, reason=NEEDS_CONTROLLERS),

    # -- namespaces ----------------------------------------------------------------------------
    Concept("kubectl get namespaces", ("07_namespaces",), code=("%kubectl get namespaces",), text=("docker",)),
    Concept("the default namespace", ("07_namespaces",), code=("--namespace=default",), text=("`default`",)),
    Concept("kube-system", ("07_namespaces",), code=("-n kube-system",), text=("`kube-system`",)),
    Concept("kube-public", ("07_namespaces",), code=("-n kube-public",), text=("`kube-public`",)),
    Concept("kube-node-lease", ("07_namespaces",), code=("get leases -n kube-node-lease",),
            text=("`kube-node-lease`", "Lease")),
    Concept("node Leases renewed by the kubelet", ("04_node_components",), code=("get leases -n kube-node-lease",),
            pending=True, reason=NEEDS_NODES),
    Concept("kubectl create namespace", ("07_namespaces",), code=("%kubectl create namespace team-a",)),
    Concept("set-context --current --namespace", ("07_namespaces",),
            code=("config set-context --current --namespace=team-a",)),
    Concept("set-context {context} --namespace (the chapter's form)", ("07_namespaces",),
            code=("config set-context kernelsim --namespace=",)),
    Concept("get pods --all-namespaces / -A", ("07_namespaces",),
            code=("get pods --all-namespaces", "get configmaps -A")),
    Concept("kubens", ("07_namespaces",), code=("kubens(\"team-a\")", "kubens(\"-\")"), text=("kernelsim serve",)),
    Concept("deleting a namespace deletes its content", ("07_namespaces",),
            code=("delete namespace team-b --wait=false",), text=("Terminating",)),
    Concept("protected system namespaces", ("07_namespaces",), code=("%kubectl delete namespace kube-system",)),

    # -- templates -----------------------------------------------------------------------------
    Concept("YAML scalars", ("08_templates",), code=("Birth: 2019", "yaml.safe_load(scalars)")),
    Concept("YAML sequences", ("08_templates",), code=("  - java", "yaml.safe_load(sequence)")),
    Concept("YAML mappings", ("08_templates",), code=("  Height: 170", "yaml.safe_load(mapping)")),
    Concept("tabs are not allowed for indentation", ("08_templates",),
            code=("\\t- java", "configmap_with_tabs", "expandtabs(2)")),
    Concept("kubectl explain pods", ("08_templates",), code=("%kubectl explain pods\n",)),
    Concept("kubectl explain pods.metadata", ("08_templates",), code=("%kubectl explain pods.metadata",)),
    Concept("kubectl explain pods.spec.containers", ("08_templates",), code=("%kubectl explain pods.spec.containers",)),
    Concept("kubectl explain --recursive", ("08_templates",), code=("explain pods --recursive",)),
    Concept("writing a Pod template", ("08_templates",), code=("kind: Pod\nmetadata:\n  name: web",)),
    Concept("writing a Deployment template", ("08_templates",), code=("kind: Deployment", "matchLabels:")),
    Concept("schema errors: wrong type, unknown field, missing field, bad name", ("08_templates",),
            code=("containerPort: eighty", "imgae:", "name: Web_Server")),
]
