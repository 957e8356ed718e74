"""Authentication (kernelsim/apiserver/authn.py) and the ServiceAccount admission plugin:
tokens from the kubeconfig, ServiceAccount tokens mounted into pods, and what each authenticates as."""

import json
import ssl
import urllib.error
import urllib.request

import pytest

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@pytest.fixture
def cluster(full_cluster):
    return full_cluster


def _whoami(cluster, token):
    """POST a SelfSubjectReview with a bearer token, as any client would."""
    ctx = ssl.create_default_context(cadata=cluster._http.certs.ca_pem.decode())
    req = urllib.request.Request(
        cluster._http.url + "/apis/authentication.k8s.io/v1/selfsubjectreviews", method="POST",
        data=json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, context=ctx) as r:
            return json.loads(r.read())["status"]["userInfo"]
    except urllib.error.HTTPError as e:
        return e.code


def test_a_pod_gets_its_service_account_token_and_it_authenticates(cluster, kubectl):
    assert kubectl("run web --image=nginx").returncode == 0
    cluster.settle()
    spec = cluster.api.get("pods", "web")["spec"]
    vol = next(v for v in spec["volumes"] if v["name"].startswith("kube-api-access-"))
    assert [list(s) for s in vol["projected"]["sources"]] == [["serviceAccountToken"], ["configMap"],
                                                             ["downwardAPI"]]
    assert spec["containers"][0]["volumeMounts"] == [{"name": vol["name"], "readOnly": True, "mountPath": SA_DIR}]
    assert kubectl(f"exec web -- ls {SA_DIR}").stdout.split() == ["ca.crt", "namespace", "token"]
    assert kubectl(f"exec web -- cat {SA_DIR}/namespace").stdout == "default"
    token = kubectl(f"exec web -- cat {SA_DIR}/token").stdout.strip()
    assert _whoami(cluster, token) == {
        "username": "system:serviceaccount:default:default",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]}
    # The default account may do nothing but discovery until a binding says otherwise.
    r = kubectl(f"--token={token} get pods")
    assert r.stderr == ('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" '
                        'cannot list resource "pods" in API group "" in the namespace "default"\n')
    kubectl("create rolebinding sa-view --clusterrole=view --serviceaccount=default:default")
    assert kubectl(f"--token={token} get pods -o name").stdout == "pod/web\n"


def test_tokens_of_the_kubeconfig_and_bad_tokens(cluster, kubectl):
    assert _whoami(cluster, "not-a-token") == 401
    assert _whoami(cluster, cluster._token)["username"] == "kubernetes-admin"
    token = kubectl("create token default").stdout.strip()
    assert _whoami(cluster, token)["username"] == "system:serviceaccount:default:default"
    assert _whoami(cluster, token[:-4] + "AAAA") == 401  # a forged signature
    assert kubectl("--token=wrong get pods").stderr.splitlines()[-1] == (
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)")


def test_automount_can_be_turned_off(cluster, kubectl):
    kubectl("create serviceaccount quiet")
    kubectl("patch serviceaccount quiet -p '{\"automountServiceAccountToken\": false}'")
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: NAME}\nspec:\n  serviceAccountName: SA\n"
           "  containers: [{name: c, image: nginx}]\n")
    kubectl("apply -f -", input=pod.replace("NAME", "a").replace("SA", "quiet"))
    off = pod.replace("NAME", "b").replace("SA", "default") + "  automountServiceAccountToken: false\n"
    kubectl("apply -f -", input=off)
    for name in ("a", "b"):
        spec = cluster.api.get("pods", name)["spec"]
        assert "volumes" not in spec and "volumeMounts" not in spec["containers"][0]
    # Static pods (their mirror pods) have none either.
    assert "volumes" not in cluster.api.get("pods", "etcd-master-1", "kube-system")["spec"] or not any(
        v["name"].startswith("kube-api-access-")
        for v in cluster.api.get("pods", "etcd-master-1", "kube-system")["spec"]["volumes"])
