"""``etcdctl``, as it runs inside an etcd pod (``kubectl exec etcd-master-1 -- etcdctl ...``).

The commands a learner uses to look at etcd: ``member list``, ``endpoint status``,
``endpoint health`` (each with ``--cluster`` and ``-w table``) and ``get`` (with
``--prefix``, ``--keys-only`` and ``--count-only``).  TLS flags (``--cacert``,
``--cert``, ``--key``) and ``--endpoints`` are accepted as kubeadm's documentation
writes them.  The table of ``endpoint status`` shows etcd 3.5's columns; 3.6 adds
storage-version, quota and downgrade columns that say nothing about raft.
"""

from __future__ import annotations

from .mvcc import MVCCStore
from .raft import ETCD_VERSION, NoQuorumError, Raft

USAGE = """NAME:
	etcdctl - A simple command line client for etcd3.

USAGE:
	etcdctl [flags]

COMMANDS:
	endpoint health	Checks the healthiness of endpoints specified in `--endpoints` flag
	endpoint status	Prints out the status of endpoints specified in `--endpoints` flag
	get		Gets the key or a range of keys
	member list	Lists all members in the cluster
"""

_VALUE_FLAGS = {"--cacert", "--cert", "--key", "--endpoints", "-w", "--write-out", "--command-timeout",
                "--dial-timeout", "--user", "--password", "--limit"}


def _size(n: int) -> str:
    """go-humanize's Bytes, as etcdctl prints DB SIZE."""
    units = ["B", "kB", "MB", "GB"]
    v, i = float(n), 0
    while v >= 1000 and i < len(units) - 1:
        v, i = v / 1000, i + 1
    return f"{int(v)} {units[i]}" if i == 0 else f"{v:.0f} {units[i]}" if v >= 10 else f"{v:.1f} {units[i]}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells, centre=False):
        out = []
        for c, w in zip(cells, widths):
            out.append(" " + (c.center(w) if centre else c.ljust(w)) + " ")
        return "|" + "|".join(out) + "|"

    return "\n".join([sep, line(header, True), sep, *(line(r) for r in rows), sep]) + "\n"


def _parse(args: list[str]) -> tuple[list[str], dict]:
    words, flags = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-"):
            name, eq, value = a.partition("=")
            if not eq and name in _VALUE_FLAGS and i + 1 < len(args):
                value = args[i + 1]
                i += 1
            flags[name] = value if (eq or name in _VALUE_FLAGS) else True
        else:
            words.append(a)
        i += 1
    if "-w" in flags:
        flags["--write-out"] = flags.pop("-w")
    return words, flags


def run(raft: Raft, store: MVCCStore, member: str, args: list[str]) -> tuple[int, str]:
    """Run ``etcdctl args`` from the etcd pod on ``member``; returns (exit code, output)."""
    words, flags = _parse(args)
    if not words or "--help" in flags or "-h" in flags:
        return 0, USAGE
    here = raft.members.get(member)
    if here is None or not here.alive:
        return 1, ("{\"level\":\"warn\",\"msg\":\"retrying of unary invoker failed\",\"error\":\"rpc error: "
                   "code = DeadlineExceeded desc = latest balancer error: connection refused\"}\n"
                   "Error: context deadline exceeded\n")
    fmt = flags.get("--write-out", "simple")
    every = bool(flags.get("--cluster"))
    if words[:2] == ["member", "list"]:
        return 0, _member_list(raft, fmt)
    if words[:2] == ["endpoint", "status"]:
        return _endpoint_status(raft, store, here, every, fmt)
    if words[:2] == ["endpoint", "health"]:
        return _endpoint_health(raft, here, every, fmt)
    if words[0] == "get" and len(words) >= 2:
        return _get(raft, store, words[1], flags)
    return 1, f"Error: unknown command \"{' '.join(words)}\" for \"etcdctl\"\n"


def _member_list(raft: Raft, fmt: str) -> str:
    rows = [[m.id, "started", m.name, m.peer_url, m.client_url, "false"] for m in raft.members.values()]
    if fmt == "table":
        return _table(["ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER"], rows)
    return "".join(", ".join(r) + "\n" for r in rows)


def _endpoint_status(raft: Raft, store: MVCCStore, here, every: bool, fmt: str) -> tuple[int, str]:
    # bbolt's file grows in 4 KiB pages and keeps history until compaction; this counts what is live.
    live = sum(len(kv.key) + len(kv.value) for kv in store.range("/")[0])
    size = 4096 * (1 + (2 * live) // 4096)
    rows, errors = [], []
    for r in raft.status_rows(size):
        if not every and r["name"] != here.name:
            continue
        if not r["alive"] or (r["side"] != here.side):
            errors.append(f'{{"level":"warn","msg":"failed to get the status of endpoint",'
                          f'"endpoint":"{r["endpoint"]}","error":"context deadline exceeded"}}')
            continue
        rows.append([r["endpoint"], r["id"], r["version"], _size(r["db_size"]), str(r["is_leader"]).lower(),
                     "false", str(r["raft_term"]), str(r["raft_index"]), str(r["applied_index"]), ""])
    if fmt == "table":
        out = _table(["ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM", "RAFT INDEX",
                      "RAFT APPLIED INDEX", "ERRORS"], rows)
    else:
        out = "".join(", ".join(r) + "\n" for r in rows)
    return (1 if errors else 0), "\n".join(errors) + ("\n" if errors else "") + out


def _endpoint_health(raft: Raft, here, every: bool, fmt: str) -> tuple[int, str]:
    quorum = raft.has_quorum()
    results = []
    for m in raft.members.values():
        if not every and m is not here:
            continue
        ok = m.alive and m.side == here.side and quorum and raft.leader is not None \
            and raft._can_talk(m, raft.leader)
        took = f"{1.2 + 0.1 * len(results):.1f}ms"
        results.append((m.client_url, ok, took))
    lines = []
    for url, ok, took in results:
        if ok:
            lines.append(f"{url} is healthy: successfully committed proposal: took = {took}")
        else:
            lines.append(f"{url} is unhealthy: failed to commit proposal: context deadline exceeded")
    if fmt == "table":
        out = _table(["ENDPOINT", "HEALTH", "TOOK", "ERROR"],
                     [[u, str(ok).lower(), t, "" if ok else "context deadline exceeded"] for u, ok, t in results])
    else:
        out = "\n".join(lines) + "\n"
    if all(ok for _, ok, _ in results):
        return 0, out
    return 1, out + "Error: unhealthy cluster\n"


def _get(raft: Raft, store: MVCCStore, key: str, flags: dict) -> tuple[int, str]:
    try:
        raft.read_index()
    except NoQuorumError:
        return 1, ('{"level":"warn","msg":"retrying of unary invoker failed","error":"rpc error: code = '
                   'DeadlineExceeded desc = context deadline exceeded"}\nError: context deadline exceeded\n')
    if flags.get("--prefix"):
        kvs = store.range(key)[0]
    else:
        kv = store.get(key)
        kvs = [kv] if kv is not None else []
    if flags.get("--count-only"):
        return 0, f"{len(kvs)}\n"
    limit = int(flags.get("--limit") or 0)
    if limit:
        kvs = kvs[:limit]
    out = []
    for kv in kvs:
        out.append(kv.key + "\n")
        if not flags.get("--keys-only"):
            v = kv.value.decode("utf-8", "replace") if isinstance(kv.value, bytes) else str(kv.value)
            out.append(v + "\n")
        elif flags.get("--keys-only"):
            out.append("\n")
    return 0, "".join(out)


__all__ = ["run", "ETCD_VERSION"]
