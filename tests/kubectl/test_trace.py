"""The request flow of `kubectl create deployment`, in the order it happens (diagram issue)."""


def first_index(records, pred, start=0):
    for i in range(start, len(records)):
        if pred(records[i]):
            return i
    raise AssertionError("not found after index %d" % start)


def test_trace_of_create_deployment(cluster, kubectl):
    cursor = cluster.tracer.count
    assert kubectl("create deployment web --image=nginx --replicas=2").returncode == 0
    cluster.settle()
    recs = cluster.tracer.since(cursor)
    post = first_index(recs, lambda r: (r.source, r.target, r.verb, r.object) ==
                       ("kubectl", "kube-apiserver", "POST", "deployments"))
    stored = first_index(recs, lambda r: r.source == "kube-apiserver" and r.target == "etcd"
                         and r.object == "/registry/deployments/default/web", post)
    rs = first_index(recs, lambda r: r.source == "deployment-controller" and r.verb == "POST"
                     and r.object == "replicasets", stored)
    pods = [i for i, r in enumerate(recs) if r.source == "replicaset-controller" and r.verb == "POST"
            and r.object == "pods"]
    assert len(pods) == 2 and pods[0] > rs
    binds = [i for i, r in enumerate(recs) if r.source == "kube-scheduler" and r.verb == "POST"
             and r.object == "pods/binding" and r.detail.startswith("default/web-")]
    assert len(binds) == 2 and binds[0] > pods[0]
    starts = [i for i, r in enumerate(recs) if r.source.startswith("kubelet(worker-") and r.target == "runtime"
              and r.verb == "StartContainer"]
    assert len(starts) >= 2 and starts[0] > binds[0]
    runs = [r for r in recs if r.target == "runtime" and r.verb == "RunPodSandbox" and "default/web-" in r.object]
    assert len(runs) == 2
