"""Cluster logging: a Fluent Bit agent on every node ships container and component logs to the
central store, where they outlive their pods (kernelsim.addons.fluentbit, kernelsim.addons.logstore)."""

import pytest

import kernelsim
from kernelsim.addons.query import QueryError

CHATTY = """
apiVersion: v1
kind: Pod
metadata: {name: chatty, namespace: shop}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo order $i shipped; sleep 5; done"]
"""


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(realtime=False)
    c.kubectl("create namespace shop")
    c.kubectl("apply -f -", input=CHATTY)
    c.settle()
    c.advance(60)
    yield c
    c.close()


def test_the_logging_agent_runs_on_every_node_as_a_daemonset(cluster):
    r = cluster.kubectl("get pods -A -l app.kubernetes.io/name=fluent-bit "
                        "-o custom-columns=NS:.metadata.namespace,NODE:.spec.nodeName,STATUS:.status.phase")
    rows = [line.split() for line in r.stdout.strip().splitlines()[1:]]
    assert sorted(row[1] for row in rows) == ["master-1", "worker-1", "worker-2"]
    assert {row[0] for row in rows} == {"kube-system"} and {row[2] for row in rows} == {"Running"}
    out = cluster.kubectl("get pods -A").stdout
    assert "kubernetes-dashboard   kubernetes-dashboard-" in out and "metrics-server-" in out
    assert cluster.kubectl("get ds fluent-bit -n kube-system").stdout.split("\n")[1].split()[1:4] == ["3", "3", "3"]


def test_container_and_component_logs_reach_the_central_store(cluster):
    lines = cluster.search_logs(namespace="shop", pod="chatty")
    assert [r.line for r in lines][:2] == ["order 1 shipped", "order 2 shipped"]
    assert {(r.container, r.node, r.stream) for r in lines} == {("app", lines[0].node, "stdout")}
    assert [r.time for r in lines] == sorted(r.time for r in lines)
    for component in ("kube-apiserver", "kube-scheduler", "kube-controller-manager", "etcd"):
        found = cluster.search_logs(component=component)
        assert found and {r.node for r in found} == {"master-1"}, component
        assert {r.pod for r in found} == {f"{component}-master-1"}
    kubelet = cluster.search_logs(component="kubelet", text=r'"SyncLoop ADD".*shop/chatty')
    assert len(kubelet) == 1 and kubelet[0].node == lines[0].node
    assert {r.node for r in cluster.search_logs(component="kubelet")} == {"master-1", "worker-1", "worker-2"}
    assert cluster.search_logs(text="Serving securely on", component="kube-apiserver")


def test_a_deleted_pods_last_lines_are_still_found_by_pod_name_and_by_text(cluster):
    last = cluster.kubectl("logs chatty -n shop --tail=1").stdout.strip()
    assert last.startswith("order ")
    cluster.kubectl("delete pod chatty -n shop")
    cluster.settle()
    gone = cluster.kubectl("logs chatty -n shop")
    assert gone.returncode == 1 and 'pods "chatty" not found' in gone.stderr
    by_pod = cluster.search_logs(pod="chatty", namespace="shop", limit=3)
    assert len(by_pod) == 3 and by_pod[-1].line == last
    by_text = cluster.search_logs(last + "$")
    assert [(r.namespace, r.pod, r.line) for r in by_text] == [("shop", "chatty", last)]
    assert cluster.search_logs(pod="chatty", text=r"order \d+ shipped")  # the pod name alone is enough


def test_time_range_and_limit(cluster):
    everything = cluster.search_logs(namespace="shop", limit=None)
    t0, t1 = everything[2].time, everything[5].time
    assert [r.line for r in cluster.search_logs(namespace="shop", start=t0, end=t1)] == \
        [r.line for r in everything[2:6]]
    assert cluster.search_logs(namespace="shop", limit=2) == everything[-2:]
    assert cluster.search_logs(namespace="shop", since=0.0, start=None) == [r for r in everything
                                                                           if r.time >= cluster.now]


def test_bad_log_queries_get_a_clear_error_and_change_nothing(cluster):
    store = cluster.logging.store
    before = len(store)
    cases = [
        (dict(pod="nobody", namespace="shop"), "unknown_pod", "no pod shop/nobody", "파드"),
        (dict(pod="nobody"), "unknown_pod_any", "no pod named nobody", "파드"),
        (dict(namespace="warehouse"), "unknown_namespace", "no namespace warehouse", "네임스페이스"),
        (dict(start=100, end=50), "bad_range", "ends (50s) before it starts (100s)", "시간 범위"),
        (dict(text="order ([0-9"), "bad_pattern", "is not a valid regular expression", "정규 표현식"),
        (dict(limit=0), "bad_limit", "positive whole number", "양의 정수"),
        (dict(since=-5), "bad_time", "since must be a number", "숫자"),
    ]
    for query, key, en, ko in cases:
        text = query.pop("text", None)
        with pytest.raises(QueryError) as info:
            cluster.search_logs(text, **query)
        assert info.value.key == key, query
        assert en in info.value.message("en") and ko in info.value.message("ko")
    assert len(store) == before


def test_the_search_widget(cluster):
    w = cluster.log_search(lang="ko")
    w.text.value = "shipped"
    w.pod.value = "chatty"
    found = w.search()
    assert found and all("shipped" in r.line for r in found) and "줄" in w.output.value
    w.text.value = "(["
    assert w.search() == [] and "정규 표현식" in w.output.value and w.error.key == "bad_pattern"
