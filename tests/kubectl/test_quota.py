"""ResourceQuota: the controller records usage, admission refuses what would go over."""


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
