"""The high-availability experiment behind "why 3 or 5 masters" (notebook 03, benchmarks/ha.py).

For a control plane of ``masters`` machines (stacked etcd: one etcd member per
master, as kubeadm sets it up), :func:`measure` builds a cluster and observes:

- ``commit_ms``: the median time a write waits for etcd's quorum (raft's model of
  disk writes and round trips between masters);
- ``etcd_failover_s``: after the master that leads etcd is powered off, the
  simulated seconds until etcd has a new leader and accepts writes again (a write
  made at once waits for it, as a real one does, up to etcd's 7 s request timeout);
- ``controllers_back_s``: the seconds until another master's kube-controller-manager
  holds its Lease and the controllers work again;
- ``tolerated``: how many masters can be powered off, one after the other, while the
  cluster still accepts writes.

Everything runs on the simulated clock, so one seed always gives the same figures.
"""

from __future__ import annotations

import statistics
import unicodedata

STEP = 0.05  # seconds of simulated time between two looks


def _configmap(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"ha-probe-{i}", "namespace": "default"},
            "data": {"i": str(i)}}


def _can_write(cluster, i: int) -> bool:
    from ..api import errors

    try:
        with cluster.lock:
            cluster.api.create(_configmap(i))
        return True
    except errors.StatusError:
        return False


def _kcm_holder(cluster) -> str:
    lease = cluster.api.get("leases", "kube-controller-manager", "kube-system")
    return (lease.get("spec") or {}).get("holderIdentity", "").split("_")[0]


def measure(masters: int, seed: int = 0, writes: int = 200) -> dict:
    """One control plane of ``masters`` machines, measured (see the module's docstring)."""
    from ..cluster import Cluster

    c = Cluster(masters=masters, workers=1, seed=seed, realtime=False, addons=False)
    try:
        raft = c.apiserver.etcd
        n = 0
        start, messages = len(raft.commit_latencies), raft.messages
        for _ in range(writes):
            _can_write(c, n)
            n += 1
        latencies = list(raft.commit_latencies)[start:]
        row = {"masters": masters, "quorum": raft.quorum, "commit_ms": 1000 * statistics.median(latencies),
               "messages_per_write": (raft.messages - messages) / writes,
               "etcd_failover_s": None, "controllers_back_s": None, "tolerated": 0}
        if masters == 1:
            return row  # powering off the only master stops the whole control plane
        leader = raft.leader_name
        t0 = c.now
        c.stop_master(leader)
        while not _can_write(c, n) and c.now - t0 < 60:
            c.advance(STEP)
        n += 1
        if raft.has_quorum():
            row["etcd_failover_s"] = c.now - t0
            while _kcm_holder(c) == leader and c.now - t0 < 120:
                c.advance(STEP)
            row["controllers_back_s"] = c.now - t0
        # Keep powering masters off (never the last) while writes still work.
        tolerated = 1 if raft.has_quorum() else 0
        for m in [name for name in raft.members if name != leader][:-1]:
            if not raft.has_quorum():
                break
            c.stop_master(m)
            c.advance(10)  # time enough for any election
            if _can_write(c, n):
                tolerated += 1
            n += 1
        row["tolerated"] = tolerated if raft.has_quorum() or tolerated else 0
        return row
    finally:
        c.close()


def _width(text: str) -> int:
    """Columns on screen: Hangul takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[dict], lang: str = "en") -> str:
    """The figures as a text table, with headings in the learner's language."""
    heads = {"en": ("masters", "quorum", "failures survived", "new etcd leader after", "controllers back after",
                    "write waits", "messages per write"),
             "ko": ("마스터", "쿼럼", "견디는 고장 수", "새 etcd 리더까지", "컨트롤러 복귀까지", "쓰기 대기",
                    "쓰기당 메시지")}["ko" if lang.startswith("ko") else "en"]

    def secs(v):
        return f"{v:.1f} s" if v is not None else "-"

    grid = [heads] + [(str(r["masters"]), str(r["quorum"]), str(r["tolerated"]), secs(r["etcd_failover_s"]),
                       secs(r["controllers_back_s"]), f"{r['commit_ms']:.1f} ms", f"{r['messages_per_write']:.0f}")
                      for r in rows]
    widths = [max(_width(row[i]) for row in grid) for i in range(len(heads))]
    return "\n".join(" | ".join(" " * (w - _width(c)) + c for c, w in zip(row, widths)) for row in grid)
