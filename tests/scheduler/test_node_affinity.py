from kernelsim.scheduler.plugins.node_affinity import ERR_REASON_POD, NodeAffinity

from . import make_node, make_pod, node_info

SSD = node_info(make_node("worker-1", labels={"disktype": "ssd", "topology.kubernetes.io/zone": "zone-a"}))
HDD = node_info(make_node("worker-2", labels={"disktype": "hdd", "topology.kubernetes.io/zone": "zone-b"}))


def required(*expressions):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]}}}


def test_node_selector():
    pod = make_pod("db", nodeSelector={"disktype": "ssd"})
    assert NodeAffinity().filter(pod, SSD) is None
    status = NodeAffinity().filter(pod, HDD)
    assert status.reasons == ("node(s) didn't match Pod's node affinity/selector",) == (ERR_REASON_POD,)
    assert status.code == "UnschedulableAndUnresolvable"


def test_required_affinity_operators():
    in_zone = make_pod("a", affinity=required({"key": "topology.kubernetes.io/zone", "operator": "In",
                                                "values": ["zone-a"]}))
    not_hdd = make_pod("b", affinity=required({"key": "disktype", "operator": "NotIn", "values": ["hdd"]}))
    has_gpu = make_pod("c", affinity=required({"key": "gpu", "operator": "Exists"}))
    assert NodeAffinity().filter(in_zone, SSD) is None and NodeAffinity().filter(in_zone, HDD) is not None
    assert NodeAffinity().filter(not_hdd, SSD) is None and NodeAffinity().filter(not_hdd, HDD) is not None
    assert NodeAffinity().filter(has_gpu, SSD) is not None


def test_terms_are_ored_and_match_fields_select_by_name():
    pod = make_pod("a", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [
            {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["nvme"]}]},
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["worker-2"]}]}]}}})
    assert NodeAffinity().filter(pod, HDD) is None
    assert NodeAffinity().filter(pod, SSD) is not None


def test_preferred_affinity_scores():
    pod = make_pod("a", affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 80, "preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}},
        {"weight": 20, "preference": {"matchExpressions": [{"key": "topology.kubernetes.io/zone",
                                                            "operator": "Exists"}]}}]}})
    plugin = NodeAffinity()
    scores = {"worker-1": plugin.score(pod, SSD), "worker-2": plugin.score(pod, HDD)}
    assert scores == {"worker-1": 100, "worker-2": 20}
    plugin.normalize_score(pod, scores)
    assert scores == {"worker-1": 100, "worker-2": 20}
