"""The same seed and the same commands give byte-identical output, ages excepted."""

import re

import kernelsim

COMMANDS = [
    "create namespace team-a",
    "run web --image=nginx -n team-a --labels=app=web",
    "create configmap settings --from-literal=color=blue",
    "expose pod web -n team-a --port=80",
    "get pods -A -o wide",
    "get services -A",
    "get pod web -n team-a -o yaml",
    "get service web -n team-a -o json",
    "describe pod web -n team-a",
]

AGE = re.compile(r"\b\d+(?:\.\d+)?[smhdy]\b|<invalid>")


def session(seed: int) -> list[str]:
    with kernelsim.Cluster(seed=seed, epoch="2026-11-26T09:00:00Z") as c:
        out = []
        for cmd in COMMANDS:
            r = c.kubectl(cmd)
            out.append(AGE.sub("AGE", r.stdout + r.stderr))
            c.settle()
        return out


def test_same_seed_same_output():
    a, b = session(3), session(3)
    assert a == b
    assert "10." in a[4] or "<none>" in a[4]


def test_another_seed_gives_other_names_and_addresses():
    assert session(3)[7] != session(4)[7]  # uids and the ClusterIP come from the seeded RNG
