"""A highly available control plane through the real kubectl: etcd's raft across three or
five masters, a leader failure, losing the quorum and getting it back, and the Lease
hand-over of kube-controller-manager and kube-scheduler."""

import json

import pytest

import kernelsim


@pytest.fixture
def ha():
    c = kernelsim.Cluster(masters=3, workers=1, realtime=False)
    yield c
    c.close()


def etcdctl(c, master, args):
    return c.kubectl(f"exec -n kube-system etcd-{master} -- etcdctl {args}")


def holder(c, lease):
    out = c.kubectl(f"get lease {lease} -n kube-system -o jsonpath={{.spec.holderIdentity}}")
    assert out.returncode == 0, out.stderr
    return out.stdout.split("_")[0]


def test_etcdctl_in_an_etcd_pod_lists_three_members_and_one_leader(ha):
    r = etcdctl(ha, "master-2", "member list -w table")
    assert r.returncode == 0, r.stderr
    for m in ("master-1", "master-2", "master-3"):
        assert m in r.stdout
    r = etcdctl(ha, "master-1", "endpoint status --cluster -w table")
    assert r.returncode == 0, r.stderr
    assert "IS LEADER" in r.stdout and "RAFT TERM" in r.stdout
    rows = [line for line in r.stdout.splitlines() if line.startswith("| https://")]
    assert len(rows) == 3
    assert sum(" true " in row for row in rows) == 1
    r = etcdctl(ha, "master-3", "endpoint health --cluster")
    assert r.returncode == 0 and r.stdout.count("is healthy") == 3


def test_etcdctl_get_shows_the_keys_kube_apiserver_wrote(ha):
    assert ha.kubectl("create configmap demo --from-literal=a=b").returncode == 0
    r = etcdctl(ha, "master-1", "get /registry/configmaps/default --prefix --keys-only")
    assert "/registry/configmaps/default/demo" in r.stdout.split()
    r = etcdctl(ha, "master-1", "get /registry/configmaps/default/demo")
    assert '"a":"b"' in r.stdout.replace(" ", "")


def test_losing_the_etcd_leader_holds_writes_until_a_new_leader_is_elected(ha):
    assert ha.faults["etcd_leader"] == "master-1"
    ha.stop_master("master-1")
    before = ha.now
    # The write waits for the election (at most two election timeouts), as a real one
    # does, instead of failing: etcd's request timeout (7 s) is longer than an election.
    r = ha.kubectl("create configmap during")
    assert r.returncode == 0, r.stderr
    assert 1.0 <= ha.now - before <= 2.5
    assert ha.faults["etcd_leader"] in ("master-2", "master-3")
    assert ha.kubectl("create configmap after").returncode == 0
    logs = ha.kubectl(f"logs -n kube-system etcd-{ha.faults['etcd_leader']}").stdout
    assert "became leader at term 3" in logs
    r = etcdctl(ha, "master-2", "endpoint status --cluster -w table")
    assert r.returncode == 1  # one endpoint does not answer
    assert "failed to get the status of endpoint" in r.stdout


def test_controllers_and_scheduler_move_to_another_master_when_the_lease_expires(ha):
    assert holder(ha, "kube-controller-manager") == "master-1"
    ha.stop_master("master-1")
    ha.advance(5)
    # The Lease is still fresh: nobody has taken over, and no controller works.
    assert holder(ha, "kube-controller-manager") == "master-1"
    assert ha.kubectl("create deployment web --image=nginx --replicas=2").returncode == 0
    ha.advance(3)
    assert ha.kubectl("get replicasets -o name").stdout == ""
    ha.advance(15)
    assert holder(ha, "kube-controller-manager") in ("master-2", "master-3")
    assert holder(ha, "kube-scheduler") in ("master-2", "master-3")
    ha.settle()
    pods = json.loads(ha.kubectl("get pods -l app=web -o json").stdout)["items"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)


def test_without_a_quorum_reads_and_writes_fail_and_readyz_says_why(ha):
    ha.stop_master("master-1")
    ha.stop_master("master-2")
    ha.advance(10)
    assert ha.faults["etcd_leader"] is None
    before = ha.now
    r = ha.kubectl("get pods")
    assert r.returncode == 1 and "Error from server: etcdserver: request timed out" in r.stderr
    assert ha.now - before == pytest.approx(7.0)  # etcd's request timeout, on the simulated clock
    r = ha.kubectl("get --raw /readyz?verbose")
    assert "[-]etcd failed" in r.stderr
    with pytest.raises(ValueError, match="last running master"):
        ha.stop_master("master-3")
    ha.start_master("master-1")
    ha.advance(5)
    assert ha.faults["etcd_leader"] is not None
    assert ha.kubectl("get --raw /readyz").stdout == "ok"
    assert ha.kubectl("create configmap back").returncode == 0


def test_a_restarted_master_catches_up_with_the_writes_it_missed(ha):
    ha.stop_master("master-3")
    for i in range(3):
        assert ha.kubectl(f"create configmap missed-{i}").returncode == 0
    ha.start_master("master-3")
    ha.advance(5)
    status = ha.apiserver.etcd.status_rows()
    assert len({r["raft_index"] for r in status}) == 1
    assert ha.kubectl("get node master-3").returncode == 0


def test_a_partitioned_leader_steps_down_and_the_majority_carries_on(ha):
    ha.partition("master-1")
    ha.advance(3)
    assert ha.faults["partitioned"] == ["master-1"]
    assert ha.faults["etcd_leader"] in ("master-2", "master-3")
    assert ha.kubectl("create configmap majority").returncode == 0
    ha.heal()
    ha.advance(2)
    assert ha.faults["partitioned"] == []
    assert ha.apiserver.etcd.members["master-1"].state == "follower"


def test_five_masters_survive_two_failures_and_not_three():
    c = kernelsim.Cluster(masters=5, workers=0, realtime=False, addons=False)
    try:
        c.stop_master("master-1")
        c.stop_master("master-2")
        c.advance(5)
        assert c.kubectl("create configmap two-down").returncode == 0
        c.stop_master("master-3")
        c.advance(5)
        assert "etcdserver: request timed out" in c.kubectl("create configmap three-down").stderr
    finally:
        c.close()


def test_stop_master_refuses_workers_and_the_diagram_shows_the_raft_state(ha):
    with pytest.raises(ValueError, match="not a master"):
        ha.stop_master("worker-1")
    from kernelsim.widgets.dot import architecture_dot
    from kernelsim.widgets.snapshot import take_snapshot

    dot = architecture_dot(take_snapshot(ha, None))
    assert "raft leader" in dot and dot.count("follower") == 2
    assert "edge/raft/master-1-master-2" in dot
    ha.stop_master("master-1")
    ha.stop_master("master-2")
    ha.advance(5)
    dot = architecture_dot(take_snapshot(ha, None))
    assert "no quorum" in dot and "raft leader" not in dot


def test_the_ha_experiment_measures_what_notebook_03_shows():
    from kernelsim.course import ha as experiment

    rows = {n: experiment.measure(n, writes=20) for n in (2, 3)}
    assert rows[2]["tolerated"] == 0 and rows[2]["etcd_failover_s"] is None
    assert rows[3]["tolerated"] == 1
    assert 0 < rows[3]["etcd_failover_s"] <= 2.1
    assert 15 <= rows[3]["controllers_back_s"] <= 20
    assert rows[3]["messages_per_write"] == 4
    assert "failures survived" in experiment.table(list(rows.values()))


def test_a_partition_cuts_the_kubelets_and_kube_proxies_on_the_far_side_off_kube_apiserver():
    c = kernelsim.Cluster(masters=3, workers=2, realtime=False, addons=False)
    try:
        c.partition("master-3", "worker-1")  # worker-1 reaches only master-3, cut off from the majority
        c.api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "during", "namespace": "default"},
                      "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
        c.advance(60)  # past the node monitor grace period (40 s) after the last Lease renewal
        ready = {n["metadata"]["name"]: next(x["status"] for x in n["status"]["conditions"] if x["type"] == "Ready")
                 for n in c.api.list("nodes")}
        assert ready["worker-1"] == "Unknown" and ready["master-3"] == "Unknown"
        assert ready["worker-2"] == "True" and ready["master-1"] == "True"
        assert c.faults["partitioned"] == ["master-3", "worker-1"]  # the diagram marks both
        assert "default/during" in c.proxy_rules("worker-2")
        assert "default/during" not in c.proxy_rules("worker-1")  # its kube-proxy missed the Service
        c.heal()
        c.advance(15)
        node = c.api.get("nodes", "worker-1", None)
        assert next(x["status"] for x in node["status"]["conditions"] if x["type"] == "Ready") == "True"
        assert "default/during" in c.proxy_rules("worker-1")
    finally:
        c.close()


def test_in_real_time_a_write_without_a_quorum_hangs_for_the_request_timeout():
    c = kernelsim.Cluster(masters=3, workers=0, addons=False, realtime=True, speed=20)
    try:
        c.stop_master("master-1")
        c.stop_master("master-2")
        before = c.now
        r = c.kubectl("create configmap no-quorum")
        assert r.returncode == 1 and "etcdserver: request timed out" in r.stderr
        assert c.now - before >= 7.0  # 7 s of simulated time went by while kubectl waited (0.35 s at speed 20)
    finally:
        c.close()


def test_the_in_process_client_waits_for_etcd_outside_the_loop_and_not_inside_it():
    from kernelsim.api.errors import StatusError

    c = kernelsim.Cluster(masters=3, workers=0, addons=False, realtime=False)
    try:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}
        c.stop_master(c.faults["etcd_leader"])
        before = c.now
        c.api.create(cm)  # waits for the election, then is written
        assert 1.0 <= c.now - before <= 2.5
        c.stop_master(c.faults["etcd_leader"])
        seen = []

        def component():  # a component at work cannot wait: the error comes at once
            try:
                c.api.create(dict(cm, metadata={"name": "b", "namespace": "default"}))
            except StatusError as e:
                seen.append((str(e), c.now))
        at = c.now
        c.loop.call_soon(component)
        c.advance(0.001)
        assert seen == [("etcdserver: request timed out", at)]
        before = c.now
        with pytest.raises(StatusError, match="etcdserver: request timed out"):
            c.api.create(dict(cm, metadata={"name": "c", "namespace": "default"}))
        assert c.now - before == pytest.approx(7.0)
        assert [x["metadata"]["name"] for x in c.api.list("configmaps", "default")] == ["a", "kube-root-ca.crt"]
    finally:
        c.close()
