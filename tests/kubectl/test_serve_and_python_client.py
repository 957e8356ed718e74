"""`kernelsim serve` for a terminal, used by the real kubectl, kubens and the official Python client."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def served(tmp_path):
    env = dict(os.environ, KERNELSIM_HOME=str(tmp_path / "ks"), HOME=str(tmp_path))
    env.pop("KUBECONFIG", None)
    proc = subprocess.Popen([str(VENV_BIN / "kernelsim"), "serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert lines[1].startswith("export KUBECONFIG="), lines + [proc.stderr.read() if proc.poll() else ""]
        kubeconfig = lines[1].strip().split("=", 1)[1]
        env["KUBECONFIG"] = kubeconfig
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        yield env, kubeconfig
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sh(env, *argv):
    return subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=60)


def test_kubectl_and_kubens_in_a_terminal(served):
    env, _ = served
    r = sh(env, "kubectl", "get", "ns")
    assert r.returncode == 0 and "kube-node-lease" in r.stdout, r.stderr
    assert sh(env, "kubectl", "create", "namespace", "team-a").returncode == 0
    r = sh(env, "kubens")
    assert r.stdout.split() == ["default", "kube-node-lease", "kube-public", "kube-system", "kubernetes-dashboard",
                                "team-a"]
    r = sh(env, "kubens", "team-a")
    assert r.returncode == 0
    assert r.stdout.endswith('Active namespace is "team-a".\n')
    assert sh(env, "kubens", "-c").stdout == "team-a\n"
    assert sh(env, "kubectl", "get", "pods").stderr == "No resources found in team-a namespace.\n"
    r = sh(env, "kubens", "nope")
    assert r.returncode == 1 and 'no namespace exists with name "nope"' in r.stderr
    assert sh(env, "kubens", "-").stdout.endswith('Active namespace is "default".\n')


def test_official_python_client(served):
    from kubernetes import client, config

    _, kubeconfig = served
    api_client = config.new_client_from_config(config_file=kubeconfig)
    v1 = client.CoreV1Api(api_client)
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
    assert "py" in [n.metadata.name for n in v1.list_namespace().items]
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="hello", labels={"app": "hello"}),
                       spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]))
    created = v1.create_namespaced_pod("py", pod)
    assert created.metadata.uid and created.spec.containers[0].image_pull_policy == "Always"
    assert [p.metadata.name for p in v1.list_namespaced_pod("py").items] == ["hello"]
    patched = v1.patch_namespaced_pod("hello", "py", {"metadata": {"labels": {"tier": "front"}}})
    assert patched.metadata.labels == {"app": "hello", "tier": "front"}
    # The pod runs on a node, so a plain delete waits for its 30 s grace period;
    # gracePeriodSeconds=0 removes it at once, as on a real cluster.
    v1.delete_namespaced_pod("hello", "py", grace_period_seconds=0)
    assert v1.list_namespaced_pod("py").items == []
    with pytest.raises(client.ApiException) as e:
        v1.read_namespaced_pod("hello", "py")
    assert e.value.status == 404
    v1.delete_namespace("py")
    deadline = time.time() + 10
    while time.time() < deadline:  # the namespace controller finishes in simulated (real-time) seconds
        if "py" not in [n.metadata.name for n in v1.list_namespace().items]:
            break
        time.sleep(0.2)
    assert "py" not in [n.metadata.name for n in v1.list_namespace().items]
