"""Resource monitoring over time: cAdvisor in the kubelet, metrics-server's scrapes kept in the
time-series store, ``kubectl top`` (the real kubectl), an OOM kill, and the matplotlib figure
(kernelsim.addons.monitoring, kernelsim.widgets.usage_plot)."""

import pytest

import kernelsim
from kernelsim.addons.metrics import RESOLUTION
from kernelsim.addons.query import QueryError

HOG = """
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  containers:
  - name: hog
    image: kernelsim/memhog
    env: [{name: MEMORY, value: 1Gi}, {name: STEP, value: 5Mi}, {name: INTERVAL, value: "5"}]
    resources: {limits: {memory: 128Mi}, requests: {cpu: 100m, memory: 64Mi}}
"""
BUSY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: busy}
spec:
  replicas: 4
  selector: {matchLabels: {app: busy}}
  template:
    metadata: {labels: {app: busy}}
    spec:
      containers:
      - {name: busy, image: kernelsim/memhog, env: [{name: MEMORY, value: 40Mi}]}
"""
Mi = 1024 * 1024


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(realtime=False, workers=1)  # one worker: a simulated hour costs less
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.settle()
    c.advance(2 * RESOLUTION)
    yield c
    c.close()


@pytest.fixture(scope="module")
def hour(cluster):
    """The memory hog, then one simulated hour."""
    cluster.kubectl("apply -f -", input=HOG)
    cluster.settle()
    start = cluster.now
    cluster.advance(3600)
    return start, cluster.now


def top(cluster, what: str) -> dict:
    r = cluster.kubectl(f"top {what}")
    assert r.returncode == 0, r.stderr
    return {tuple(row.split()[:-2]) if what.endswith("-A") else row.split()[0]: row.split()
            for row in r.stdout.strip().splitlines()[1:]}


def millicores(cell: str) -> int:
    return int(cell[:-1]) if cell.endswith("m") else int(float(cell) * 1000)


def test_kubectl_top_figures_are_plausible_and_follow_the_workload(cluster):
    before = top(cluster, "nodes")
    assert set(before) == {"master-1", "worker-1"}
    for name, row in before.items():
        assert 0 < millicores(row[1]) < 2000 and 0 < int(row[2][:-1]) < 100, row  # 2 cores per node
        assert row[3].endswith("Mi") and 400 < int(row[3][:-2]) < 4096, row
    pods = top(cluster, "pods -A")
    assert ("kube-system", "kube-apiserver-master-1") in pods
    assert ("kubernetes-dashboard",) == next(k for k in pods if k[1].startswith("kubernetes-dashboard"))[:1]
    r = cluster.kubectl("apply -f -", input=BUSY)
    assert r.returncode == 0, r.stderr
    cluster.settle()
    cluster.advance(2 * RESOLUTION + 1)
    after = top(cluster, "nodes")
    workers = ("worker-1",)
    assert sum(millicores(after[n][1]) for n in workers) >= sum(millicores(before[n][1]) for n in workers) + 300
    assert sum(int(after[n][3][:-2]) for n in workers) >= sum(int(before[n][3][:-2]) for n in workers) + 150
    busy = {k: v for k, v in top(cluster, "pods").items() if k.startswith("busy-")}
    assert len(busy) == 4 and all(80 <= millicores(v[1]) <= 120 and v[2] == "40Mi" for v in busy.values())
    cluster.kubectl("delete deployment busy")
    cluster.settle()
    cluster.advance(RESOLUTION + 1)
    assert not any(k.startswith("busy-") for k in top(cluster, "pods"))


def test_a_memory_hog_is_oomkilled_at_its_limit_and_restarted(cluster, hour):
    pod = cluster.api.get("pods", "hog")
    st = pod["status"]["containerStatuses"][0]
    assert st["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert st["lastState"]["terminated"]["exitCode"] == 137
    assert st["restartCount"] >= 5  # restartPolicy Always: restarted after each kill, with back-off
    kills = cluster.machines[pod["spec"]["nodeName"]].kubelet.cadvisor.oom_events
    assert all(k.memory > k.limit == 128 * Mi for k in kills)
    assert st["restartCount"] - 1 <= len(kills) <= st["restartCount"] + 1


def test_the_monitoring_api_returns_a_pod_time_series_over_an_hour(cluster, hour):
    start, end = hour
    u = cluster.usage("hog", start=start, end=end)
    assert u.kind == "pod" and u.name == "default/hog" and u.memory_limit == 128 * Mi
    assert u.times == sorted(u.times) and start <= u.times[0] and u.times[-1] <= end
    assert u.times[-1] - u.times[0] > 3000 and len(u) > 60
    assert all(t2 - t1 >= RESOLUTION - 1e-6 for t1, t2 in zip(u.times, u.times[1:]))
    assert all(80 <= c <= 120 for c in u.cpu)          # memhog's 100m, with cAdvisor's wobble
    assert max(u.memory) <= 128 * Mi < max(u.memory) + 10 * Mi  # it grows up to its limit ...
    assert any(m2 < m1 for m1, m2 in zip(u.memory, u.memory[1:]))  # ... and starts again after a kill
    assert len(u.oom_kills) >= 5 and all(start <= k.time <= end for k in u.oom_kills)
    assert list(u.containers) == ["hog"]
    half = cluster.usage("default/hog", start=start, end=start + 1800)
    assert half.times == [t for t in u.times if t <= start + 1800]
    web = cluster.usage(namespace="default", start=start, end=end)
    assert len(web) >= len(u) and max(web.memory) > max(u.memory)
    node = cluster.usage(node=cluster.api.get("pods", "hog")["spec"]["nodeName"], start=start, end=end)
    assert len(node.oom_kills) == len(u.oom_kills) and min(node.memory) > 450 * Mi


def test_the_plot_shows_cpu_and_memory_with_the_limit_and_every_oom_kill(cluster, hour):
    start, end = hour
    fig = cluster.plot_usage("hog", start=start, end=end)
    cpu, mem = fig.axes
    assert cpu.get_ylabel() == "CPU (millicores)" and mem.get_ylabel() == "memory (MiB)"
    assert mem.get_xlabel() == "simulated time (minutes)"
    assert "default/hog" in cpu.get_title() and "OOM kill" in cpu.get_title()
    labels = [line.get_label() for line in mem.lines if not line.get_label().startswith("_")]
    assert labels == ["default/hog", "limit 128Mi", "OOMKilled"]
    series = mem.lines[0]
    xs, ys = series.get_xdata(), series.get_ydata()
    assert xs[0] >= start / 60 and xs[-1] <= end / 60 and xs[-1] - xs[0] > 50  # about an hour, in minutes
    values = [y for y in ys if y == y]
    assert len(values) == len(cluster.usage("hog", start=start, end=end))
    assert max(values) <= 128 and max(values) > 100
    assert len(ys) > len(values)  # the line breaks while the container waits to be restarted
    kills = cluster.usage("hog", start=start, end=end).oom_kills
    vertical = [line for line in mem.lines if list(line.get_xdata()) == [line.get_xdata()[0]] * 2]
    assert sorted(v.get_xdata()[0] for v in vertical) == pytest.approx(sorted(k.time / 60 for k in kills))
    assert [t.get_text() for t in mem.get_legend().get_texts()] == labels


def test_the_korean_plot_speaks_korean_with_a_hangul_font(cluster, hour):
    """``make`` and Binder install Debian's fonts-nanum; with it the Korean course's plot is in Korean."""
    import os

    from kernelsim.widgets import usage_plot

    font = usage_plot.hangul_font()
    if os.path.exists("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"):
        assert font == "NanumGothic"
    fig = cluster.plot_usage("hog", start=hour[0], end=hour[1], lang="ko")
    cpu, mem = fig.axes
    if font is None:  # no Hangul font: English rather than empty boxes
        assert mem.get_ylabel() == "memory (MiB)"
        return
    assert cpu.get_ylabel() == "CPU (밀리코어)" and mem.get_ylabel() == "메모리 (MiB)"
    assert mem.get_xlabel() == "시뮬레이션 시간 (분)"
    assert cpu.get_title().startswith("파드 default/hog: CPU와 메모리, OOM 종료 ")
    assert [t.get_text() for t in mem.get_legend().get_texts()] == ["default/hog", "한도 128Mi", "OOMKilled"]
    assert mem.xaxis.label.get_fontfamily()[0] == font


def test_without_a_hangul_font_the_korean_plot_stays_in_english(cluster, hour, monkeypatch):
    from kernelsim.widgets import usage_plot

    monkeypatch.setattr(usage_plot, "hangul_font", lambda: None)
    fig = cluster.plot_usage("hog", start=hour[0], end=hour[1], lang="ko")
    assert fig.axes[0].get_ylabel() == "CPU (millicores)" and "OOM kill" in fig.axes[0].get_title()


def test_bad_monitoring_queries_get_a_clear_error_in_both_languages(cluster, hour):
    history = cluster.metrics_server.history
    before = (len(history.pods), sum(len(s.times) for s in history.pods.values()))
    cases = [
        (lambda: cluster.usage("no-such-pod"), "unknown_pod", "no pod default/no-such-pod", "파드"),
        (lambda: cluster.usage("web", namespace="nope"), "unknown_namespace", "no namespace nope", "네임스페이스"),
        (lambda: cluster.usage(node="worker-9"), "unknown_node", "no node worker-9", "노드"),
        (lambda: cluster.usage("hog", start=600, end=60), "bad_range", "ends (60s) before it starts (600s)",
         "시간 범위"),
        (lambda: cluster.usage("hog", start="yesterday"), "bad_time", "start must be a number", "숫자"),
        (lambda: cluster.usage(), "bad_target", "exactly one of", "정확히 하나"),
    ]
    for call, key, en, ko in cases:
        with pytest.raises(QueryError) as info:
            call()
        assert info.value.key == key
        assert en in info.value.message("en") and ko in info.value.message("ko")
    assert (len(history.pods), sum(len(s.times) for s in history.pods.values())) == before
