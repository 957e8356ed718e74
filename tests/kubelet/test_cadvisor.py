"""cAdvisor in the kubelet: cumulative CPU time, CPU rates, the working set and OOM events
(kernelsim.kubelet.cadvisor), read through the Summary API (Kubelet.stats())."""

import pytest

import kernelsim


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(realtime=False, workers=1)
    c.kubectl("apply -f -", input="""
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  containers:
  - name: hog
    image: kernelsim/memhog
    env: [{name: MEMORY, value: 300Mi}]
    resources: {limits: {memory: 100Mi}}
""")
    c.kubectl("run steady --image=kernelsim/memhog --env=MEMORY=30Mi")
    c.settle()
    yield c
    c.close()


def pod_stats(kubelet, name):
    return next(p for p in kubelet.stats()["pods"] if p["podRef"]["name"] == name)


def test_cpu_time_accumulates_and_the_rate_follows_the_program(cluster):
    kubelet = cluster.machines["worker-1"].kubelet
    first = pod_stats(kubelet, "steady")["containers"][0]
    cluster.advance(30)
    second = pod_stats(kubelet, "steady")["containers"][0]
    used = second["cpu"]["usageCoreNanoSeconds"] - first["cpu"]["usageCoreNanoSeconds"]
    assert 30 * 0.085e9 <= used <= 30 * 0.115e9   # memhog uses about 100m: 0.1 s of CPU per second
    assert 85_000_000 <= second["cpu"]["usageNanoCores"] <= 115_000_000
    assert second["memory"]["workingSetBytes"] == 30 * 1024 * 1024


def test_an_oom_kill_is_counted_with_the_memory_it_wanted(cluster):
    cadvisor = cluster.machines["worker-1"].kubelet.cadvisor
    kills = [e for e in cadvisor.oom_events if e.pod == "hog"]
    assert kills and kills[0].container == "hog" and kills[0].limit == 100 * 1024 * 1024 < kills[0].memory
    assert cadvisor.oom_count("default", "hog") == len(kills)
    journal = [line for _, line in cluster.machines["worker-1"].kubelet.journal if 'reason="OOMKilled"' in line]
    assert journal and 'pod="default/hog"' in journal[0] and "exitCode=137" in journal[0]
