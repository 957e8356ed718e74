"""The kube-system add-on manifests are valid v1.37 objects with the real labels and priorities."""

from kernelsim.addons import manifests


def by_kind_name(objs):
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def test_every_addon_object_is_accepted_by_the_apiserver(cluster):
    api = cluster._internal
    api.apply(manifests.addon_objects())
    out = cluster.kubectl("get deploy,ds -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name").stdout
    assert out.split()[2:] == ["kube-system", "coredns", "kube-system", "metrics-server",
                               "kubernetes-dashboard", "kubernetes-dashboard", "kube-system", "fluent-bit",
                               "kube-system", "kindnet", "kube-system", "kube-proxy"]
    svc = cluster.kubectl("get svc kube-dns -n kube-system").stdout.splitlines()[1].split()
    assert svc[:5] == ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP"]
    pcs = cluster.kubectl("get priorityclass").stdout
    assert "system-cluster-critical   2000000000" in pcs and "system-node-critical      2000001000" in pcs


def test_coredns_and_daemonsets_look_like_kubeadm():
    objs = by_kind_name(manifests.addon_objects())
    dns = objs[("Deployment", "coredns")]
    assert dns["spec"]["replicas"] == 2
    assert dns["spec"]["selector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    pod = dns["spec"]["template"]["spec"]
    assert pod["priorityClassName"] == "system-cluster-critical" and pod["dnsPolicy"] == "Default"
    assert pod["containers"][0]["image"].startswith("registry.k8s.io/coredns/coredns:v1.")
    assert "kubernetes cluster.local in-addr.arpa ip6.arpa" in objs[("ConfigMap", "coredns")]["data"]["Corefile"]
    for name in ("kube-proxy", "kindnet"):
        spec = objs[("DaemonSet", name)]["spec"]["template"]["spec"]
        assert spec["tolerations"] == [{"operator": "Exists"}]  # runs on every node, tainted or not
        assert spec["priorityClassName"] == "system-node-critical" and spec["hostNetwork"] is True
    assert objs[("Service", "kubernetes-dashboard")]["metadata"]["namespace"] == "kubernetes-dashboard"
    agent = objs[("DaemonSet", "fluent-bit")]["spec"]["template"]["spec"]
    assert agent["tolerations"][0]["key"] == "node-role.kubernetes.io/control-plane"  # masters' logs too
    assert agent["containers"][0]["image"].startswith("cr.fluentbit.io/fluent/fluent-bit:")
    assert "Name tail" in objs[("ConfigMap", "fluent-bit")]["data"]["fluent-bit.conf"]
