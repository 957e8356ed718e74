"""cluster.save(path) and kernelsim.Cluster.load(path): a backup and restore of the whole cluster.

A restored cluster has the same etcd -- every key, value and revision, and the
change history -- the same clock and the same RNG; its components re-list and
reconcile, so it goes on behaving (a Deployment scales).  A file that is not a
whole snapshot is refused before anything is built.
"""

import json
import subprocess
import sys
import textwrap

import pytest

import kernelsim
from kernelsim import cluster as cluster_module
from kernelsim.persistence import MAGIC, SnapshotError
from kernelsim.testing import check_invariants
from tests.conftest import BARE, EPOCH


def etcd_content(c, revision=None):
    """Every key with its value and revisions, at ``revision``, and the change log up to it."""
    etcd = c.apiserver.storage.etcd
    revision = revision or etcd.revision
    kvs = [(kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version)
           for kv in etcd.range("", revision=revision)[0]]
    changes = [(e.type, e.kv.key, e.kv.value, e.kv.mod_revision) for e in etcd.history(etcd.compacted_revision)
               if e.kv.mod_revision <= revision]
    return {"revision": revision, "compacted": etcd.compacted_revision, "kvs": kvs, "changes": changes}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A whole cluster with a Deployment, saved; (path, what it looked like)."""
    c = kernelsim.Cluster(seed=3, epoch=EPOCH)
    c.kubectl("create namespace team-a")
    c.kubectl("create deployment web --image=nginx --replicas=2 -n team-a")
    c.kubectl("create configmap settings --from-literal=colour=blue")
    c.settle()
    path = tmp_path_factory.mktemp("snap") / "cluster.ksim"
    assert c.save(path) == str(path)
    seen = {"etcd": etcd_content(c), "now": c.now, "rng": c.loop.rng.getstate(),
            "get": c.kubectl("get deploy,rs,pods,svc,cm -A").stdout,
            "nodes": c.kubectl("get nodes").stdout}
    c.close()
    return path, seen


def test_load_restores_etcd_clock_and_rng_exactly(saved):
    path, seen = saved
    c = kernelsim.Cluster.load(path)
    try:
        assert etcd_content(c, seen["etcd"]["revision"]) == seen["etcd"]
        assert c.now == seen["now"] and c.loop.rng.getstate() == seen["rng"]
        assert c.kubectl("get deploy,rs,pods,svc,cm -A").stdout == seen["get"]
        assert c.kubectl("get nodes").stdout == seen["nodes"]
        # What changed since: only what restarted kubelets write (their Leases and Node status).
        etcd = c.apiserver.storage.etcd
        written = {kv.key for kv in etcd.range("")[0] if kv.mod_revision > seen["etcd"]["revision"]}
        assert written <= {f"/registry/{r}/{n}" for n in ("master-1", "worker-1", "worker-2")
                           for r in ("leases/kube-node-lease", "minions")}
    finally:
        c.close()


def test_a_loaded_cluster_goes_on_reconciling(saved):
    path, _ = saved
    c = kernelsim.Cluster.load(path)
    try:
        assert c.kubectl("scale deployment web --replicas=4 -n team-a").returncode == 0
        c.settle()
        pods = c.api.list("pods", "team-a", label_selector="app=web")
        assert len(pods) == 4 and all(p["status"]["phase"] == "Running" for p in pods)
        # As after a reboot: the two pods from before the save started their containers again.
        restarts = sorted(p["status"]["containerStatuses"][0]["restartCount"] for p in pods)
        assert restarts == [0, 0, 1, 1]
        assert c.api.get("deployments", "web", "team-a")["status"]["readyReplicas"] == 4
        assert c.api.get("configmaps", "settings")["data"] == {"colour": "blue"}
        check_invariants(c)
    finally:
        c.close()


def test_the_same_snapshot_gives_the_same_names(saved):
    path, _ = saved
    names = []
    for _ in range(2):
        c = kernelsim.Cluster.load(path)
        c.kubectl("scale deployment web --replicas=3 -n team-a")
        c.settle()
        names.append(sorted(p["metadata"]["name"] for p in c.api.list("pods", "team-a")))
        c.close()
    assert names[0] == names[1] and len(names[0]) == 3


def test_compacted_history_round_trips(tmp_path):
    c = kernelsim.Cluster(seed=0, epoch=EPOCH, **BARE)
    for i in range(5):
        c.api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"n": str(i)}})
    c.apiserver.storage.compact(c.apiserver.storage.revision - 2)
    c.api.delete("configmaps", "c")
    before = etcd_content(c)
    c.save(tmp_path / "s")
    c.close()
    d = kernelsim.Cluster.load(tmp_path / "s")
    try:
        assert etcd_content(d, before["revision"]) == before and before["compacted"] > 0
        assert d.apiserver.storage.etcd.revision == before["revision"]  # nothing runs that writes
    finally:
        d.close()


def test_a_notebook_continues_after_a_kernel_restart(tmp_path):
    """Two Python processes, as two kernels: the second picks up where the first stopped."""
    path = tmp_path / "lab.ksim"
    first = textwrap.dedent(f"""
        import kernelsim
        c = kernelsim.Cluster(seed=0, epoch="{EPOCH}", controllers=("namespace", "serviceaccount"),
                              scheduler=False, nodes=False, addons=False)
        c.kubectl("create configmap notes --from-literal=step=1")
        c.advance(42)
        c.save(r"{path}")
    """)
    second = textwrap.dedent(f"""
        import json, kernelsim
        c = kernelsim.Cluster.load(r"{path}")
        print(json.dumps([c.now, c.kubectl("get configmap notes -o jsonpath={{.data.step}}").stdout]))
    """)
    env = {"KERNELSIM_REALTIME": "0", "KERNELSIM_SHARE": "0", "PATH": "/usr/bin:/bin"}
    for code in (first, second):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                             cwd=str(tmp_path))
        assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [42.0, "1"]


# -- refused files ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def good_bytes(saved):
    return saved[0].read_bytes()


def _refused(tmp_path, data: bytes) -> SnapshotError:
    bad = tmp_path / "bad.ksim"
    bad.write_bytes(data)
    previous = cluster_module.current()
    with pytest.raises(SnapshotError) as e:
        kernelsim.Cluster.load(bad)
    assert cluster_module.current() is previous  # nothing was built, not even half a cluster
    return e.value


def test_a_truncated_snapshot_is_refused(tmp_path, good_bytes):
    e = _refused(tmp_path, good_bytes[: len(good_bytes) // 2])
    assert "bad.ksim is truncated" in str(e) and "잘렸습니다" in str(e)
    assert e.en.startswith("the snapshot ") and ": " in e.en
    e = _refused(tmp_path, good_bytes[: len(MAGIC) + 10])
    assert "truncated or corrupted" in e.en and "잘렸거나 손상되었습니다" in e.ko


def test_a_corrupted_snapshot_is_refused(tmp_path, good_bytes):
    flipped = bytearray(good_bytes)
    flipped[-100] ^= 0xFF
    e = _refused(tmp_path, bytes(flipped))
    assert e.en.endswith("is corrupted: its checksum does not match") and "체크섬이 맞지 않습니다" in e.ko


def test_another_file_or_version_is_refused(tmp_path, good_bytes):
    e = _refused(tmp_path, b"apiVersion: v1\nkind: Config\n")
    assert "is not a kernelsim snapshot" in e.en and "kernelsim 스냅샷이 아닙니다" in e.ko
    header, _, body = good_bytes[len(MAGIC):].partition(b"\n")
    newer = json.dumps(dict(json.loads(header), format=99)).encode()
    e = _refused(tmp_path, MAGIC + newer + b"\n" + body)
    assert "format version 99" in e.en and "버전 1만 읽습니다" in e.ko


def test_save_is_atomic(tmp_path, saved):
    """A reader never sees half a file: save() writes beside the target and renames."""
    path, _ = saved
    c = kernelsim.Cluster(seed=0, epoch=EPOCH, **BARE)
    target = tmp_path / "atomic.ksim"
    target.write_bytes(b"old")
    c.save(target)
    c.close()
    assert target.read_bytes().startswith(MAGIC) and not (tmp_path / "atomic.ksim.tmp").exists()


def test_kernelsim_load_restores_a_simulated_snapshot(tmp_path):
    import kernelsim

    c = kernelsim.Cluster(seed=0, epoch=EPOCH, **BARE)
    c.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept", "namespace": "default"}})
    path = c.save(tmp_path / "c.ksim")
    c.close()
    restored = kernelsim.load(path)
    try:
        assert isinstance(restored, kernelsim.Cluster)
        assert restored.api.get("configmaps", "kept", "default")["metadata"]["name"] == "kept"
    finally:
        restored.close()
