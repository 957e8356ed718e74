"""Captions of request-flow records, in English and Korean."""

import pytest

from kernelsim.sim.trace import TraceRecord
from kernelsim.widgets.captions import caption, component_name, josa, kind_of


def rec(source, target, verb, obj, detail=""):
    return TraceRecord(1.0, source, target, verb, obj, detail)


def test_kubectl_creates_a_deployment():
    r = rec("kubectl", "kube-apiserver", "POST", "deployments", "default/web")
    assert caption(r, "en") == "kubectl asks kube-apiserver to create a Deployment (default/web)"
    assert caption(r, "ko") == "kubectl이 kube-apiserver에 디플로이먼트 생성을 요청합니다 (default/web)"


def test_apiserver_writes_to_etcd():
    r = rec("kube-apiserver", "etcd", "txn", "/registry/services/specs/default/web", "create")
    assert caption(r, "en") == "kube-apiserver writes the new Service default/web to etcd"
    assert caption(r, "ko") == "kube-apiserver가 etcd에 새 서비스 default/web을 저장합니다"
    r = rec("kube-apiserver", "etcd", "txn", "/registry/minions/worker-1", "delete")
    assert caption(r, "en") == "kube-apiserver deletes the Node worker-1 from etcd"


def test_scheduler_binds_and_kubelet_reports_status():
    bind = rec("kube-scheduler", "kube-apiserver", "POST", "pods/binding", "default/web-1")
    assert caption(bind, "en") == "kube-scheduler asks kube-apiserver to bind a Pod to a node (default/web-1)"
    assert caption(bind, "ko").startswith("kube-scheduler가 kube-apiserver에 파드를 노드에 배정")
    status = rec("kubelet(worker-1)", "kube-apiserver", "PATCH", "pods/status", "default/web-1")
    assert caption(status, "en") == "kubelet on worker-1 asks kube-apiserver to patch the status of a Pod (default/web-1)"
    assert caption(status, "ko") == ("worker-1의 kubelet이 kube-apiserver에 파드의 status 패치를 요청합니다 "
                                     "(default/web-1)")


def test_kubelet_asks_the_runtime():
    r = rec("kubelet(worker-1)", "runtime", "RunPodSandbox", "default/web")
    assert caption(r, "en") == "kubelet on worker-1 asks runtime to start the sandbox of pod default/web"
    assert caption(r, "ko") == "worker-1의 kubelet이 runtime에 default/web 파드 샌드박스 실행을 요청합니다"


def test_unknown_verbs_still_read():
    r = rec("kube-proxy(worker-2)", "iptables", "sync", "KUBE-SERVICES")
    assert caption(r, "en") == "kube-proxy on worker-2 sends sync to iptables: KUBE-SERVICES"
    assert caption(r, "ko") == "worker-2의 kube-proxy가 iptables에 sync 요청을 보냅니다: KUBE-SERVICES"
    with pytest.raises(ValueError):
        caption(r, "fr")


def test_particles_follow_the_last_sound():
    assert josa("kubectl", "이/가") == "kubectl이"
    assert josa("kube-apiserver", "이/가") == "kube-apiserver가"
    assert josa("파드", "을/를") == "파드를"
    assert josa("디플로이먼트 생성", "을/를") == "디플로이먼트 생성을"
    assert josa("worker-1", "이/가") == "worker-1이"
    assert josa("worker-2", "이/가") == "worker-2가"
    assert component_name("kubelet(worker-1)", "en") == "kubelet on worker-1"
    assert kind_of("endpointslices") == "EndpointSlice" and kind_of("events") == "Event"
