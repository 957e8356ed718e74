"""`kubectl explain` against the simulated cluster prints what it prints against a real v1.37 cluster."""

EXPLAIN_PODS_HEAD = """\
KIND:       Pod
VERSION:    v1

DESCRIPTION:
    Pod is a collection of containers that can run on a host. This resource is
    created by clients and scheduled onto hosts.
    
FIELDS:
  apiVersion\t<string>
    APIVersion defines the versioned schema of this representation of an object.
    Servers should convert recognized schemas to the latest internal value, and
    may reject unrecognized values. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources

  kind\t<string>
    Kind is a string value representing the REST resource this object
    represents. Servers may infer this from the endpoint the client submits
    requests to. Cannot be updated. In CamelCase. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds

  metadata\t<ObjectMeta>
    Standard object's metadata. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata

  spec\t<PodSpec>
    Specification of the desired behavior of the pod. More info:
    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status
"""

EXPLAIN_IMAGE = """\
KIND:       Pod
VERSION:    v1

FIELD: image <string>


DESCRIPTION:
    Container image name. More info:
    https://kubernetes.io/docs/concepts/containers/images This field is optional
    to allow higher level config management to default or override container
    images in workload controllers like Deployments and StatefulSets.
    

"""


def test_explain_pods(kubectl):
    r = kubectl("explain pods")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(EXPLAIN_PODS_HEAD)
    assert "enum:" not in r.stdout  # a real cluster's OpenAPI has no enum on apiVersion and kind


def test_explain_a_field_path(kubectl):
    assert kubectl("explain pods.spec.containers.image").stdout == EXPLAIN_IMAGE
    r = kubectl("explain pods.metadata")
    assert r.stdout.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: metadata <ObjectMeta>\n")
    assert "  labels\t<map[string]string>" in r.stdout


def test_explain_recursive(kubectl):
    r = kubectl("explain pods --recursive")
    lines = r.stdout.splitlines()
    # The real kubectl 1.37 printed 1,429 lines against a document that still had the
    # two `enum:` lines of apiVersion and kind; a real cluster's document has neither.
    assert len(lines) == 1427
    assert "  apiVersion\t<string>" in lines and "    containers\t<[]Container> -required-" in lines


def test_explain_other_groups(kubectl):
    r = kubectl("explain deployment.spec.strategy")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n")
    assert "rollingUpdate\t<RollingUpdateDeployment>" in r.stdout


def test_explain_unknown_resource(kubectl):
    r = kubectl("explain podz")
    assert r.returncode == 1
    assert r.stderr == 'the server doesn\'t have a resource type "podz"\n'
