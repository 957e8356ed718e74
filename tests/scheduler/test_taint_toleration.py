from kernelsim.scheduler.plugins.taint_toleration import TaintToleration, toleration_matches

from . import CONTROL_PLANE_TAINT, make_node, make_pod, node_info

GPU = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}


def test_untainted_node_passes():
    assert TaintToleration().filter(make_pod("web"), node_info(make_node("worker-1"))) is None


def test_control_plane_taint_refuses_ordinary_pods_with_the_real_text():
    status = TaintToleration().filter(make_pod("web"), node_info(make_node("master-1", taints=[CONTROL_PLANE_TAINT])))
    assert status.reasons == ("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",)
    assert status.code == "UnschedulableAndUnresolvable"


def test_taint_with_a_value_shows_it():
    status = TaintToleration().filter(make_pod("web"), node_info(make_node("gpu-1", taints=[GPU])))
    assert status.message == "node(s) had untolerated taint {dedicated: gpu}"


def test_matching_tolerations_let_the_pod_in():
    node = node_info(make_node("gpu-1", taints=[GPU, CONTROL_PLANE_TAINT]))
    equal = make_pod("a", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
                                       {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}])
    everything = make_pod("b", tolerations=[{"operator": "Exists"}])
    assert TaintToleration().filter(equal, node) is None
    assert TaintToleration().filter(everything, node) is None


def test_wrong_value_or_effect_does_not_tolerate():
    assert not toleration_matches({"key": "dedicated", "operator": "Equal", "value": "cpu"}, GPU)
    assert not toleration_matches({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, GPU)
    assert toleration_matches({"key": "dedicated", "value": "gpu"}, GPU)   # operator defaults to Equal


def test_prefer_no_schedule_only_lowers_the_score():
    soft = {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}
    plugin, pod = TaintToleration(), make_pod("web")
    tainted, clean = node_info(make_node("worker-1", taints=[soft])), node_info(make_node("worker-2"))
    assert plugin.filter(pod, tainted) is None
    scores = {"worker-1": plugin.score(pod, tainted), "worker-2": plugin.score(pod, clean)}
    plugin.normalize_score(pod, scores)
    assert scores == {"worker-1": 0, "worker-2": 100}
