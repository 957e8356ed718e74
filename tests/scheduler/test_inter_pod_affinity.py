from kernelsim.scheduler.framework import Snapshot
from kernelsim.scheduler.plugins.inter_pod_affinity import InterPodAffinity

from . import make_node, make_pod, node_info

HOSTNAME, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"


def term(app, key=HOSTNAME):
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}


def affinity(kind, *terms):
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}


def cluster(*pods_per_node):
    zones = ["zone-a", "zone-a", "zone-b"]
    infos = [node_info(make_node(f"worker-{i + 1}", labels={ZONE: zones[i]}), *pods)
             for i, pods in enumerate(pods_per_node)]
    return Snapshot(infos)


def run(pod, snapshot):
    plugin = InterPodAffinity()
    plugin.pre_filter(pod, snapshot)
    return {ni.name: (plugin.filter(pod, ni).message if plugin.filter(pod, ni) else None) for ni in snapshot}


def test_anti_affinity_by_hostname_spreads_replicas():
    pod = make_pod("web-2", labels={"app": "web"}, affinity=affinity("podAntiAffinity", term("web")))
    snapshot = cluster([make_pod("web-1", labels={"app": "web"})], [], [])
    assert run(pod, snapshot) == {"worker-1": "node(s) didn't match pod anti-affinity rules",
                                  "worker-2": None, "worker-3": None}


def test_anti_affinity_by_zone_excludes_the_whole_zone():
    pod = make_pod("web-2", labels={"app": "web"}, affinity=affinity("podAntiAffinity", term("web", ZONE)))
    snapshot = cluster([make_pod("web-1", labels={"app": "web"})], [], [])
    result = run(pod, snapshot)
    assert result["worker-1"] and result["worker-2"] and result["worker-3"] is None


def test_affinity_needs_a_matching_pod_in_the_domain():
    pod = make_pod("cache", affinity=affinity("podAffinity", term("web", ZONE)))
    snapshot = cluster([], [], [make_pod("web-1", labels={"app": "web"})])
    assert run(pod, snapshot) == {"worker-1": "node(s) didn't match pod affinity rules",
                                  "worker-2": "node(s) didn't match pod affinity rules", "worker-3": None}


def test_first_pod_of_a_self_affine_group_may_go_anywhere():
    pod = make_pod("web-1", labels={"app": "web"}, affinity=affinity("podAffinity", term("web")))
    assert set(run(pod, cluster([], [], [])).values()) == {None}


def test_existing_pods_anti_affinity_is_respected():
    loner = make_pod("loner", labels={"app": "loner"}, affinity=affinity("podAntiAffinity", term("web")))
    snapshot = cluster([loner], [], [])
    assert run(make_pod("web-1", labels={"app": "web"}), snapshot)["worker-1"] == \
        "node(s) didn't satisfy existing pods anti-affinity rules"
    assert run(make_pod("other", labels={"app": "db"}), snapshot)["worker-1"] is None


def test_terms_only_look_at_their_namespaces():
    pod = make_pod("web-2", labels={"app": "web"}, affinity=affinity("podAntiAffinity", term("web")))
    snapshot = cluster([make_pod("web-1", namespace="other", labels={"app": "web"})], [], [])
    assert run(pod, snapshot)["worker-1"] is None
