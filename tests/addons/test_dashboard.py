"""The Kubernetes Dashboard: a Deployment in kubernetes-dashboard whose UI is an ipywidgets view,
kept current from watch events (kernelsim.addons.dashboard, kernelsim.widgets.dashboard)."""

import pytest
import traitlets

import kernelsim
from kernelsim.addons.dashboard import OK


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(realtime=False)
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.settle()
    yield c
    c.close()


def kubectl_pods(cluster, namespace="default"):
    out = cluster.kubectl(f"get pods -n {namespace} --no-headers").stdout
    return {row.split()[0]: row.split()[1:3] for row in out.strip().splitlines()}


def test_the_dashboard_runs_as_a_deployment_in_its_namespace(cluster):
    row = cluster.kubectl("get deployment kubernetes-dashboard -n kubernetes-dashboard --no-headers").stdout.split()
    assert row[:2] == ["kubernetes-dashboard", "1/1"]
    d = cluster.dashboard(live=False)
    assert d.backend.running()
    assert "kubernetes-dashboard-" in d.header.value and "Kubernetes Dashboard" in d.header.value


def test_after_a_scale_up_the_dashboard_state_matches_the_cluster_without_relisting(cluster, monkeypatch):
    d = cluster.dashboard(live=False)
    lists = []
    real_list = cluster.apiserver.list

    def counting_list(info, namespace, ctx=None, **kw):
        if ctx is not None and ctx.source == "kubernetes-dashboard":
            lists.append(info.plural)
        return real_list(info, namespace, ctx, **kw)
    monkeypatch.setattr(cluster.apiserver, "list", counting_list)
    cluster.kubectl("scale deployment web --replicas=5")
    cluster.settle()
    d.refresh()
    d.namespace = "default"
    state = d.backend.state()
    pods = kubectl_pods(cluster)
    assert {p["Name"]: [p["Ready"], p["Status"]] for p in state["workloads"]["pods"]} == pods
    assert len(pods) == 5 and all(p["icon"] == OK for p in state["workloads"]["pods"])
    deploy = {r["Name"]: r for r in state["workloads"]["deployments"]}
    assert deploy["web"]["Ready"] == "5/5" and deploy["web"]["icon"] == OK
    assert [r["Desired"] for r in state["workloads"]["replicasets"]] == [5]
    assert state["overview"]["workloads"]["pods"] == {"total": 5, "ok": 5, "pending": 0, "failed": 0}
    nodes = {n["name"]: n for n in state["overview"]["nodes"]}
    assert set(nodes) == {"master-1", "worker-1", "worker-2"} and all(n["status"] == "Ready" for n in nodes.values())
    all_pods = cluster.kubectl("get pods -A -o jsonpath={.items[*].spec.nodeName}").stdout.split()
    assert {n: nodes[n]["pods"] for n in nodes} == {n: all_pods.count(n) for n in nodes}
    assert any(e["Reason"] == "ScalingReplicaSet" and "to 5" in e["Message"] for e in state["events"])
    assert lists == []  # every change came from the watches, nothing was listed again
    assert d.sections["pods"].value.count("<tr>") == 6  # a header and five pods
    assert len(d.pod_list.options) == 5


def test_clicking_a_pod_shows_its_containers_conditions_events_and_logs(cluster):
    d = cluster.dashboard(live=False, lang="ko")
    name = sorted(kubectl_pods(cluster))[0]
    d.pod_list.value = f"default/{name}"  # what a click in the list does
    assert d.selected_pod == f"default/{name}"
    details = d.backend.pod_details()
    assert [c["name"] for c in details["containers"]] == ["nginx"]
    assert details["containers"][0]["state"] == "running" and details["containers"][0]["ready"] is True
    assert "Configuration complete; ready for start up" in details["containers"][0]["logs"]
    assert {c["type"]: c["status"] for c in details["conditions"]}["Ready"] == "True"
    assert {"Scheduled", "Pulled", "Created", "Started"} <= {e["Reason"] for e in details["events"]}
    assert "컨테이너" in d.details.value and "ready for start up" in d.details.value


def test_bad_selections_are_refused_and_change_nothing(cluster):
    d = cluster.dashboard(live=False)
    d.namespace = "default"
    with pytest.raises(traitlets.TraitError, match='namespaces "nope" not found'):
        d.namespace = "nope"
    with pytest.raises(traitlets.TraitError, match='pods "ghost" not found'):
        d.selected_pod = "default/ghost"
    assert d.namespace == "default" and d.backend.namespace == "default"


def test_without_a_ready_dashboard_pod_the_ui_says_so(cluster):
    d = cluster.dashboard(live=False)
    cluster.kubectl("scale deployment kubernetes-dashboard -n kubernetes-dashboard --replicas=0")
    cluster.settle()
    d.refresh()
    assert not d.backend.running() and "not running" in d.header.value and d.sections["pods"].value == ""
    cluster.kubectl("scale deployment kubernetes-dashboard -n kubernetes-dashboard --replicas=1")
    cluster.settle()
    d.refresh()
    assert d.backend.running() and d.sections["pods"].value


def test_daemonsets_and_jobs_have_their_rows_and_icons(cluster):
    d = cluster.dashboard(live=False)
    d.namespace = None
    cluster.kubectl("create job hello --image=kernelsim/job -- 2")
    cluster.settle()
    d.refresh()
    state = d.backend.state()
    ds = cluster.kubectl("get ds -A -o jsonpath={.items[*].metadata.name}").stdout.split()
    assert sorted(r["Name"] for r in state["workloads"]["daemonsets"]) == sorted(ds) and len(ds) == 3
    assert all(r["Ready"] == r["Desired"] == 3 and r["icon"] == OK for r in state["workloads"]["daemonsets"])
    job = next(r for r in state["workloads"]["jobs"] if r["Name"] == "hello")
    assert job["Status"] == "Complete" and job["Completions"] == "1/1" and job["icon"] == "☑️"
    assert "hello" in d.sections["jobs"].value and "fluent-bit" in d.sections["daemonsets"].value
