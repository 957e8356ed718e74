"""The live diagram widget, driven from plain Python (no browser)."""

import html
import re
import time

import pytest

from kernelsim.widgets import ClusterDiagram
from kernelsim.widgets.dot import GREEN, HIGHLIGHT, RED

from .conftest import ensure_node, make_pod

POD_GROUP = re.compile(r'<g id="pod/([^"]+)" class="node pod status(?:&#45;|-)([^"]+)">.*?fill="(#[0-9a-f]{6})"', re.S)


def svg_pods(svg):
    """pod -> (status, fill colour) as drawn in the SVG."""
    return {html.unescape(name): (html.unescape(status), fill) for name, status, fill in POD_GROUP.findall(svg)}


def text(svg):
    return html.unescape(svg)


@pytest.fixture
def lab(cluster):
    """The default cluster with a node that no kubelet owns, so hand-made pod status stays put."""
    ensure_node(cluster, "lab-node")
    return cluster


@pytest.fixture
def diagram(lab):
    w = ClusterDiagram(lab, trace=True, interval=0.05)
    yield w
    w.close()


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_change_in_the_cluster_redraws_within_one_batch(lab, diagram):
    assert svg_pods(diagram.svg) == {}
    make_pod(lab, "web-1", node="lab-node", status="Running")
    make_pod(lab, "web-2", node="lab-node", status="CrashLoopBackOff")
    lab.advance(0)  # deliver the watch events (the simulation loop runs them)
    assert wait_for(lambda: len(svg_pods(diagram.svg)) == 2)
    assert svg_pods(diagram.svg) == {"default/web-1": ("Running", GREEN),
                                     "default/web-2": ("CrashLoopBackOff", RED)}
    # refresh() redraws at once, without waiting for the batch.
    lab._internal.delete("pods", "web-2", grace_period_seconds=0)
    diagram.refresh()
    assert list(svg_pods(diagram.svg)) == ["default/web-1"]


def test_the_last_frame_is_kept_as_a_static_picture(diagram):
    assert diagram.svg.lstrip().startswith("<?xml") and "kube-apiserver" in text(diagram.svg)
    (output,) = diagram._out.outputs
    assert output["data"]["image/svg+xml"] == diagram.svg
    bundle = diagram._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["image/svg+xml"] == diagram.svg
    assert "application/vnd.jupyter.widget-view+json" in data


def test_the_diagram_does_not_show_up_in_the_trace(lab, diagram):
    before = lab.tracer.count
    diagram.refresh()
    assert lab.tracer.count == before


def test_play_pause_and_step_move_the_clock(lab, diagram):
    ran = []
    start = lab.now
    lab.loop.call_later(5, lambda: ran.append(lab.now), label="test work")
    assert diagram.step() == start + 5 and ran == [start + 5]
    diagram.play(speed=100)
    assert lab.clock.running and lab.clock.speed == 100
    assert wait_for(lambda: lab.now > start + 6)
    diagram.pause()
    assert not lab.clock.running
    paused_at = lab.now
    time.sleep(0.15)
    assert lab.now == paused_at


def test_view_and_namespace_selectors(lab, diagram):
    lab._internal.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    make_pod(lab, "a1", namespace="team-a", node="lab-node")
    make_pod(lab, "d1", node="lab-node")
    diagram.refresh()
    assert (None in [v for _, v in diagram._namespace.options]) and ("team-a", "team-a") in diagram._namespace.options
    diagram._namespace.value = "team-a"
    assert list(svg_pods(diagram.svg)) == ["team-a/a1"]
    diagram._view.value = "objects"
    assert diagram.dot.startswith("digraph objects") and "team-a/a1" in text(diagram.svg)
    diagram._view.value = "namespaces"
    assert diagram.dot.startswith("digraph namespaces") and "namespace team-a" in text(diagram.svg)


def _lit_edges(dot_source):
    return re.findall(r'"([^"]+)" -> "([^"]+)" \[[^\]]*' + HIGHLIGHT, dot_source)


def test_replay_steps_through_the_last_command(lab, diagram):
    lab.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old"}})
    cursor = lab.tracer.count
    result = lab.kubectl("create deployment web --image=nginx:1.27")
    assert result.returncode == 0, result.stderr
    records = diagram.replay(cursor)
    assert (records[0].source, records[0].target, records[0].verb) == ("kubectl", "kube-apiserver", "POST")
    assert diagram.caption == "kubectl asks kube-apiserver to create a Deployment (default/web)"
    assert _lit_edges(diagram.dot) == [("user/kubectl", "master-1/kube-apiserver")]
    step = next(i for i, r in enumerate(records) if r.target == "etcd")
    diagram.show_step(step)
    assert diagram.caption == "kube-apiserver writes the new Deployment default/web to etcd"
    assert _lit_edges(diagram.dot) == [("master-1/kube-apiserver", "master-1/etcd")]
    assert diagram.caption in text(diagram.svg)
    # Without a cursor, the replay starts at the learner's last command (not the ConfigMap before it).
    assert [(r.verb, r.object) for r in diagram.replay()][:1] == [("POST", "deployments")]
    diagram.lang = "ko"
    diagram.show_step(0)
    assert diagram.caption == "kubectl이 kube-apiserver에 디플로이먼트 생성을 요청합니다 (default/web)"


def test_live_trace_lights_up_new_requests(lab, diagram):
    lab.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}})
    assert wait_for(lambda: diagram.caption.startswith("python asks kube-apiserver to create a ConfigMap")
                    or diagram.caption.startswith("kube-apiserver writes the new ConfigMap"))
    assert wait_for(lambda: diagram.caption == "kube-apiserver writes the new ConfigMap default/settings to etcd")
