"""Every concept of the chapter ("Kubernetes basic concepts") and the notebook(s) that demonstrate it.

A concept is covered when each listed notebook has, in a code cell, every ``code`` snippet (a runnable
demonstration) and, in its markdown in both languages, every ``text`` word.  Concepts that the simulator
cannot demonstrate yet are ``pending`` with a reason: the coverage test reports them, and fails once such
a concept is demonstrated so that the flag gets dropped.
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


CONCEPTS = [
    # -- using the course (issue: getting started) --------------------------------------------
    Concept("starting a simulated cluster (or a real one)", ("01_getting_started",), code=("kernelsim.start()",),
            text=("kernelsim.Cluster()", "KERNELSIM_KUBECONFIG")),
    Concept("%kubectl line magic", ("01_getting_started",), code=("%load_ext kernelsim", "%kubectl get namespaces")),
    Concept("%%kubectl apply -f - cell magic", ("01_getting_started",), code=("%%kubectl apply -f -",)),
    Concept("cluster.kubectl() result", ("01_getting_started",), code=("r.returncode", "r.stdout", "r.stderr")),
    Concept("simulated time: play, pause, advance, settle", ("01_getting_started",),
            code=("cluster.play(speed=", "cluster.pause()", "cluster.advance(60)", "cluster.settle()")),
    Concept("kubectl wait", ("01_getting_started", "07_namespaces"), code=("%kubectl wait --for=delete",)),
    Concept("request trace", ("01_getting_started",), code=("cluster.trace(last=5)",)),
    Concept("kubectl -v=6 shows the HTTP calls", ("01_getting_started",), code=("get pods -v=6",)),
    Concept("the live architecture diagram", ("01_getting_started", "02_cluster_architecture"),
            code=("cluster.diagram(",)),
    Concept("kubectl in a terminal (shared kubeconfig)", ("01_getting_started",), code=("cluster.share()",),
            text=("KUBECONFIG", "kubens")),

    # -- the whole cluster -------------------------------------------------------------------
    Concept("master (control plane)", ("02_cluster_architecture",),
            code=("cluster.diagram(", "get nodes -o wide", "get pods -A -o wide"), text=("control-plane",)),
    Concept("one command through every component (trace replay)", ("02_cluster_architecture",),
            code=("diagram(trace=True", ".replay()", "create deployment web --image=nginx --replicas=2")),
    Concept("3 or 5 masters for high availability", ("03_master_components",),
            code=("kernelsim.Cluster(masters=3", "quorum"), text=("raft",)),
    Concept("raft with 3 and 5 members, leader failure shown live", ("03_master_components",),
            code=("kernelsim.Cluster(masters=3", "ha.stop_master(leader)", "etcdctl endpoint status --cluster",
                  "kernelsim.Cluster(masters=5", "/readyz?verbose"),
            text=("raft", "election timeout", "term")),
    Concept("why 3 or 5 masters, with the HA benchmark's figures", ("03_master_components",),
            code=("benchmarks/ha.py", "ha_benchmark.measure(", "ha_benchmark.table("), text=("benchmarks/ha.py",)),
    Concept("kubelet on the master; hyperkube is gone", ("03_master_components",), text=("hyperkube",),
            code=("tier=control-plane",)),
    Concept("kube-apiserver: the only door to etcd", ("01_getting_started", "03_master_components"),
            code=("cluster.trace(",), text=("kube-apiserver", "etcd")),
    Concept("kube-apiserver: validation of requests", ("08_templates",), code=("imgae:", "containerPort: eighty")),
    Concept("kube-apiserver rejects invalid requests before etcd", ("03_master_components",),
            code=("create deployment Web", "--port=99999")),
    Concept("kube-apiserver component", ("03_master_components",),
            code=("-v=6", 'r.target == "etcd"')),
    Concept("etcd: keys under /registry, revisions, watch", ("03_master_components",),
            code=('etcd_keys("/registry/', "resourceVersion", "-w --request-timeout")),
    Concept("kube-scheduler", ("03_master_components",), text=("kube-scheduler",),
            code=("nodeName", "scheduler.decisions", 'add_node(cpu="4")')),
    Concept("kube-controller-manager", ("03_master_components",), text=("kube-controller-manager",),
            code=("controller_manager.controllers", "kube-controller-manager-master-1")),
    Concept("kube-controller-manager: a single leader among the masters", ("03_master_components",),
            code=("get leases -n kube-system",)),
    Concept("cloud-controller-manager", ("03_master_components",), text=("cloud-controller-manager",),
            code=("--type=LoadBalancer", "providerID", "remove_node(", "cloud-controller-manager")),
    Concept("node", ("04_node_components",), code=("%kubectl get nodes",)),
    Concept("kubelet: PodSpecs, health checks, only its own containers", ("04_node_components",),
            code=("livenessProbe", "readinessProbe", "kernelsim/crash", "run_unmanaged("), text=("PodSpec",)),
    Concept("kube-proxy", ("04_node_components",), text=("kube-proxy",),
            code=("kube-proxy", "proxy_rules(", "cluster.request(")),
    Concept("container runtime (containerd, runc, Docker today)", ("04_node_components",),
            text=("containerd", "runc", "dockershim"), code=("containerRuntimeVersion", "version_info()")),

    # -- addons ------------------------------------------------------------------------------
    Concept("addons", ("05_addons",), code=("get deployments,daemonsets -A",), text=("kube-system",)),
    Concept("networking addon", ("05_addons",), text=("CNI",), code=("podCIDR", "cluster.request(")),
    Concept("DNS addon", ("05_addons",), text=("CoreDNS",), code=("cluster.resolve(", "nslookup")),
    Concept("dashboard addon", ("05_addons",), text=("dashboard",), code=("-n kubernetes-dashboard",)),
    Concept("container resource monitoring (cAdvisor)", ("05_addons",), text=("cAdvisor", "metrics-server"),
            code=("kubelet.stats()",)),
    Concept("kubectl top through metrics-server and its APIService", ("05_addons",), text=("APIService",),
            code=("%kubectl top nodes", "%kubectl get apiservices")),
    Concept("cluster logging (EFK, ELK)", ("05_addons",), text=("EFK", "ELK"), code=("daemonset fluent-bit",)),
    Concept("the dashboard's UI, kept current from watch events", ("05_addons",), text=("Headlamp",),
            code=("cluster.dashboard(", "--replicas=4", "pod_details()")),
    Concept("CPU and memory over time, and an OOMKilled container", ("05_addons",), text=("OOMKilled", "Prometheus"),
            code=("cluster.plot_usage(", "limits: {memory: 128Mi}", "cluster.advance(3600)")),
    Concept("a central log store outlives the pods (Elasticsearch, Kibana)", ("05_addons",),
            text=("Elasticsearch", "Kibana", "Fluent Bit"),
            code=("cluster.search_logs(pod=", "%kubectl delete pod dns-test", "cluster.log_search(")),

    # -- objects and controllers -------------------------------------------------------------
    Concept("desired state and current state", ("06_objects_and_controllers",),
            code=("replicas", 'd["spec"]["replicas"]', 'view="objects"')),
    Concept("Pod", ("06_objects_and_controllers",), code=("kind: Pod",)),
    Concept("Service", ("06_objects_and_controllers",), code=("kind: Service",)),
    Concept("Volume", ("06_objects_and_controllers",), code=("volumes:", "emptyDir", "persistentVolumeClaim")),
    Concept("Namespace", ("07_namespaces",), code=("kind: Namespace", "%kubectl create namespace")),
    Concept("ReplicaSet", ("06_objects_and_controllers",), code=("kind: ReplicaSet", "delete pods -l app=echo")),
    Concept("Deployment", ("06_objects_and_controllers",),
            code=("kind: Deployment", "maxSurge", "maxUnavailable", "rollout status", "rollout undo")),
    Concept("StatefulSet", ("06_objects_and_controllers",),
            code=("kind: StatefulSet", "volumeClaimTemplates", "clusterIP: None")),
    Concept("DaemonSet", ("06_objects_and_controllers",), code=("kind: DaemonSet", "cluster.add_node()")),
    Concept("Job", ("06_objects_and_controllers",), code=("kind: Job", "completions", "parallelism", "backoffLimit")),

    # -- namespaces ----------------------------------------------------------------------------
    Concept("kubectl get namespaces", ("07_namespaces",), code=("%kubectl get namespaces",), text=("docker",)),
    Concept("the default namespace", ("07_namespaces",), code=("--namespace=default",), text=("`default`",)),
    Concept("kube-system", ("07_namespaces",), code=("-n kube-system",), text=("`kube-system`",)),
    Concept("kube-public", ("07_namespaces",), code=("-n kube-public",), text=("`kube-public`",)),
    Concept("kube-node-lease", ("07_namespaces",), code=("get leases -n kube-node-lease",),
            text=("`kube-node-lease`", "Lease")),
    Concept("node Leases renewed by the kubelet", ("04_node_components",),
            code=("get leases -n kube-node-lease", "renewTime", "stop_kubelet(")),
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
    Concept("users and contexts (authentication)", ("07_namespaces",),
            code=("--context alice@team-a auth whoami", "config get-contexts"), text=("kubernetes-admin",)),
    Concept("RBAC: RoleBinding of a ClusterRole", ("07_namespaces",),
            code=("create rolebinding alice-edit --clusterrole=edit --user=alice -n team-a",),
            text=("RBAC", "RoleBinding", "ClusterRole")),
    Concept("Forbidden for another team's namespace", ("07_namespaces",),
            code=("--context alice@team-a get pods -n team-b",), text=('cannot list resource "pods"',)),
    Concept("kubectl auth can-i, --list and --as", ("07_namespaces",),
            code=("auth can-i create deployments", "auth can-i --list", "--as bob")),

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
