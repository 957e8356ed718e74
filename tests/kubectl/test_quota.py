"""ResourceQuota: the controller records usage, admission refuses what would go over."""

import re


def pod(name, cpu):
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers: "
            f"[{{name: c, image: nginx, resources: {{requests: {{cpu: {cpu}}}}}}}]\n")


def test_quota_usage_and_refusals(cluster, kubectl):
    kubectl("create namespace team")
    kubectl("create quota q --hard=pods=2,requests.cpu=1 -n team")
    r = kubectl("run plain --image=nginx -n team")
    assert r.stderr == ('Error from server (Forbidden): pods "plain" is forbidden: failed quota: q: '
                        'must specify requests.cpu for: plain\n')
    assert kubectl("apply -n team -f -", input=pod("a", "300m")).returncode == 0
    r = kubectl("apply -n team -f -", input=pod("b", "800m"))
    assert r.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "b" is forbidden: '
                        'exceeded quota: q, requested: requests.cpu=800m, used: requests.cpu=300m, '
                        'limited: requests.cpu=1\n')
    assert kubectl("apply -n team -f -", input=pod("c", "100m")).returncode == 0
    r = kubectl("apply -n team -f -", input=pod("d", "100m"))
    assert "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2" in r.stderr
    cluster.settle()
    used = cluster.api.get("resourcequotas", "q", "team")["status"]["used"]
    assert used == {"pods": "2", "requests.cpu": "400m"}
    assert sorted(p["metadata"]["name"] for p in cluster.api.list("pods", "team")) == ["a", "c"]


def test_a_replicaset_over_quota_creates_what_fits_and_says_why(cluster, kubectl):
    kubectl("create namespace small")
    kubectl("create quota q --hard=pods=2 -n small")
    for name in ("a", "b"):
        assert kubectl(f"run {name} --image=nginx -n small").returncode == 0
    r = kubectl("run c --image=nginx -n small")
    assert r.stderr == ('Error from server (Forbidden): pods "c" is forbidden: exceeded quota: q, '
                        'requested: pods=1, used: pods=2, limited: pods=2\n')
    kubectl("delete pod a b -n small --now")
    cluster.settle()
    rs = ("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  replicas: 4\n"
          "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
          "    spec: {containers: [{name: web, image: nginx}]}\n")
    assert kubectl("apply -n small -f -", input=rs).returncode == 0
    cluster.settle()
    assert len(cluster.api.list("pods", "small")) == 2
    status = cluster.api.get("replicasets.apps", "web", "small")["status"]
    assert status["replicas"] == 2
    failure = next(c for c in status["conditions"] if c["type"] == "ReplicaFailure")
    assert (failure["status"], failure["reason"]) == ("True", "FailedCreate")
    assert "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2" in failure["message"]
    events = kubectl("get events -n small --field-selector reason=FailedCreate -o name").stdout.split()
    assert events
    described = kubectl("describe rs web -n small").stdout
    assert "ReplicaFailure   True    FailedCreate" in described
    assert re.search(r'Warning\s+FailedCreate\s+.*Error creating: pods "web-\w+" is forbidden: exceeded quota: q',
                     described)
