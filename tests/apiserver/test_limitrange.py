"""The LimitRanger admission plugin (kernelsim/apiserver/limitranger.py), through the real kubectl."""

import pytest

LIMITS = """apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    max: {cpu: "1", memory: 1Gi}
    min: {cpu: 100m}
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 200m}
    maxLimitRequestRatio: {cpu: "4"}
  - type: Pod
    max: {memory: 1Gi}
  - type: PersistentVolumeClaim
    min: {storage: 1Gi}
    max: {storage: 2Gi}
"""


def pod(name, *resources):
    containers = ", ".join(f"{{name: c{i}, image: nginx, resources: {r}}}" for i, r in enumerate(resources))
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers: [{containers}]\n"


def pvc(name, size):
    return (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}}}\n"
            f"spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: {size}}}}}}}\n")


@pytest.fixture
def lr(cluster, kubectl):
    kubectl("create namespace lr")
    assert kubectl("apply -n lr -f -", input=LIMITS).returncode == 0
    return lambda manifest: kubectl("apply -n lr -f -", input=manifest)


def test_defaults_fill_in_what_a_container_leaves_out(cluster, kubectl, lr):
    # The LimitRange itself is defaulted: defaultRequest falls back to default.
    item = cluster.api.get("limitranges", "limits", "lr")["spec"]["limits"][0]
    assert item["defaultRequest"] == {"cpu": "200m", "memory": "256Mi"}
    assert kubectl("run plain --image=nginx -n lr").returncode == 0
    p = cluster.api.get("pods", "plain", "lr")
    assert p["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"},
                                                       "requests": {"cpu": "200m", "memory": "256Mi"}}
    assert p["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container plain; cpu, memory limit for container plain")
    # A limit given alone is also the request (defaulting runs before admission).
    assert lr(pod("limited", "{limits: {cpu: 400m}}")).returncode == 0
    res = cluster.api.get("pods", "limited", "lr")["spec"]["containers"][0]["resources"]
    assert res == {"limits": {"cpu": "400m", "memory": "256Mi"}, "requests": {"cpu": "400m", "memory": "256Mi"}}


def test_min_max_and_ratio_are_refused_with_the_real_messages(cluster, lr):
    r = lr(pod("big", "{limits: {cpu: 2}}"))
    assert r.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: '
                        'maximum cpu usage per Container is 1, but limit is 2\n')
    r = lr(pod("small", "{requests: {cpu: 50m}, limits: {cpu: 800m}}"))
    assert r.stderr == ('Error from server (Forbidden): error when creating "STDIN": pods "small" is forbidden: '
                        '[minimum cpu usage per Container is 100m, but request is 50m, cpu max limit to request '
                        'ratio per Container is 4, but provided ratio is 16.000000]\n')
    r = lr(pod("ratio", "{requests: {cpu: 150m}, limits: {cpu: 1000m}}"))
    assert r.stderr.endswith('pods "ratio" is forbidden: cpu max limit to request ratio per Container is 4, '
                             'but provided ratio is 6.666667\n')
    r = lr(pod("pair", "{limits: {memory: 600Mi}}", "{limits: {memory: 600Mi}}"))
    assert r.stderr.endswith('pods "pair" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi\n')
    assert lr(pod("fits", "{requests: {cpu: 250m}, limits: {cpu: 1}}")).returncode == 0
    assert sorted(p["metadata"]["name"] for p in cluster.api.list("pods", "lr")) == ["fits"]


def test_claims_are_bounded(cluster, lr):
    r = lr(pvc("huge", "5Gi"))
    assert r.stderr == ('Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "huge" '
                        'is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but limit is 5Gi\n')
    r = lr(pvc("tiny", "100Mi"))
    assert r.stderr.endswith('persistentvolumeclaims "tiny" is forbidden: minimum storage usage per '
                             'PersistentVolumeClaim is 1Gi, but request is 100Mi\n')
    assert lr(pvc("ok", "1Gi")).returncode == 0


def test_defaults_satisfy_a_compute_quota(cluster, kubectl, lr):
    # LimitRanger runs before ResourceQuota: its defaults count as the pod's requests.
    kubectl("create quota q --hard=requests.cpu=1 -n lr")
    for i in range(5):
        assert kubectl(f"run p{i} --image=nginx -n lr").returncode == 0
    r = kubectl("run p5 --image=nginx -n lr")
    assert r.stderr == ('Error from server (Forbidden): pods "p5" is forbidden: exceeded quota: q, requested: '
                        'requests.cpu=200m, used: requests.cpu=1, limited: requests.cpu=1\n')
