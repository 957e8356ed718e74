"""Kubernetes protobuf request bodies: ``application/vnd.kubernetes.protobuf``.

Mirrors the protobuf serializer of kube-apiserver
(``k8s.io/apimachinery/pkg/runtime/serializer/protobuf``): a body is the magic
``k8s\\x00`` followed by a ``runtime.Unknown`` whose ``raw`` holds the object's
own message, as the gogo-generated ``generated.pb.go`` of ``k8s.io/api`` writes
it.  :func:`decode` turns such a body into the dict that kube-apiserver's JSON
encoder would print for the same Go object, so the request path continues as
if JSON had been posted.

The wire contract (field numbers, JSON names, which Go fields are pointers and
which are ``omitempty``) is written below as compact tables, one message a line:

    Name: <number> <jsonName>[:<kind>][*][!], ...

``kind`` is empty for a string, ``int`` (int32/int64), ``bool``, ``bytes``
(base64 in JSON), ``float``, a special type (``Time``, ``MicroTime``,
``Duration``, ``IntOrString``, ``Quantity``, ``RawExtension``, ``FieldsV1``,
``ExtraValue``, ``AttestationValue``) or another message; ``[]kind`` is a
repeated field and ``{}kind`` a ``map<string, kind>``.  ``*`` marks a Go pointer (kept when set,
even to a zero value), ``!`` a field without ``omitempty`` (kept when zero).
``<number> ...Message`` is an embedded struct whose fields JSON inlines.
Go writes every non-pointer field, zero or not; JSON drops the zero ones that
are ``omitempty``, and so does :func:`decode`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import struct
from dataclasses import dataclass
from typing import Iterator

from ..api import errors

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

# -- the wire format -------------------------------------------------------------

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """Malformed protobuf bytes (the ``proto: ...`` errors of gogo-protobuf)."""


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """One base-128 varint at ``pos``: returns (value, next position)."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("unexpected EOF")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise WireError("proto: integer overflow")


def iter_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """The (field number, wire type, value) triples of one message.

    The value is an int for varint and fixed-width fields (fixed ones unsigned,
    little-endian) and the raw bytes for length-delimited ones.
    """
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number <= 0:
            raise WireError(f"proto: illegal tag {number} (wire type {wire})")
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == FIXED64:
            if pos + 8 > len(buf):
                raise WireError("unexpected EOF")
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == FIXED32:
            if pos + 4 > len(buf):
                raise WireError("unexpected EOF")
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        elif wire == BYTES:
            length, pos = read_varint(buf, pos)
            if pos + length > len(buf):
                raise WireError("unexpected EOF")
            value, pos = buf[pos:pos + length], pos + length
        else:
            raise WireError(f"proto: illegal wireType {wire}")
        yield number, wire, value


def signed64(value: int) -> int:
    """A varint read as Go's int64 (negative int32s are sign-extended to 10 bytes)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


# -- the message tables ------------------------------------------------------------

_TABLE = """
# k8s.io/apimachinery/pkg/apis/meta/v1
ObjectMeta: 1 name, 2 generateName, 3 namespace, 4 selfLink, 5 uid, 6 resourceVersion, 7 generation:int,
    8 creationTimestamp:Time, 9 deletionTimestamp:Time*, 10 deletionGracePeriodSeconds:int*,
    11 labels:{}string, 12 annotations:{}string, 13 ownerReferences:[]OwnerReference,
    14 finalizers:[]string, 17 managedFields:[]ManagedFieldsEntry
OwnerReference: 1 kind!, 3 name!, 4 uid!, 5 apiVersion!, 6 controller:bool*, 7 blockOwnerDeletion:bool*
ManagedFieldsEntry: 1 manager, 2 operation, 3 apiVersion, 4 time:Time*, 6 fieldsType, 7 fieldsV1:FieldsV1*,
    8 subresource
Condition: 1 type!, 2 status!, 3 observedGeneration:int, 4 lastTransitionTime:Time!, 5 reason!, 6 message!
LabelSelector: 1 matchLabels:{}string, 2 matchExpressions:[]LabelSelectorRequirement
LabelSelectorRequirement: 1 key!, 2 operator!, 3 values:[]string
DeleteOptions: 1 gracePeriodSeconds:int*, 2 preconditions:Preconditions*, 3 orphanDependents:bool*,
    4 propagationPolicy*, 5 dryRun:[]string, 6 ignoreStoreReadErrorWithClusterBreakingPotential:bool*
Preconditions: 1 uid*, 2 resourceVersion*
FieldSelectorRequirement: 1 key!, 2 operator!, 3 values:[]string
# k8s.io/api/core/v1
Namespace: 1 metadata:ObjectMeta, 2 spec:NamespaceSpec, 3 status:NamespaceStatus
NamespaceSpec: 1 finalizers:[]string
NamespaceStatus: 1 phase, 2 conditions:[]NamespaceCondition
NamespaceCondition: 1 type!, 2 status!, 4 lastTransitionTime:Time, 5 reason, 6 message
ConfigMap: 1 metadata:ObjectMeta, 2 data:{}string, 3 binaryData:{}bytes, 4 immutable:bool*
Secret: 1 metadata:ObjectMeta, 2 data:{}bytes, 3 type, 4 stringData:{}string, 5 immutable:bool*
ServiceAccount: 1 metadata:ObjectMeta, 2 secrets:[]ObjectReference,
    3 imagePullSecrets:[]LocalObjectReference, 4 automountServiceAccountToken:bool*
ObjectReference: 1 kind, 2 namespace, 3 name, 4 uid, 5 apiVersion, 6 resourceVersion, 7 fieldPath
LocalObjectReference: 1 name
Service: 1 metadata:ObjectMeta, 2 spec:ServiceSpec, 3 status:ServiceStatus
ServiceSpec: 1 ports:[]ServicePort, 2 selector:{}string, 3 clusterIP, 4 type, 5 externalIPs:[]string,
    7 sessionAffinity, 8 loadBalancerIP, 9 loadBalancerSourceRanges:[]string, 10 externalName,
    11 externalTrafficPolicy, 12 healthCheckNodePort:int, 13 publishNotReadyAddresses:bool,
    14 sessionAffinityConfig:SessionAffinityConfig*, 17 ipFamilyPolicy*, 18 clusterIPs:[]string,
    19 ipFamilies:[]string, 20 allocateLoadBalancerNodePorts:bool*, 21 loadBalancerClass*,
    22 internalTrafficPolicy*, 23 trafficDistribution*
ServicePort: 1 name, 2 protocol, 3 port:int!, 4 targetPort:IntOrString, 5 nodePort:int, 6 appProtocol*
SessionAffinityConfig: 1 clientIP:ClientIPConfig*
ClientIPConfig: 1 timeoutSeconds:int*
ServiceStatus: 1 loadBalancer:LoadBalancerStatus, 2 conditions:[]Condition
LoadBalancerStatus: 1 ingress:[]LoadBalancerIngress
LoadBalancerIngress: 1 ip, 2 hostname, 3 ipMode*, 4 ports:[]PortStatus
PortStatus: 1 port:int!, 2 protocol!, 3 error*
Pod: 1 metadata:ObjectMeta, 2 spec:PodSpec, 3 status:PodStatus
PodSpec: 1 volumes:[]Volume, 2 containers:[]Container, 3 restartPolicy,
    4 terminationGracePeriodSeconds:int*, 5 activeDeadlineSeconds:int*, 6 dnsPolicy,
    7 nodeSelector:{}string, 8 serviceAccountName, 9 serviceAccount, 10 nodeName, 11 hostNetwork:bool,
    12 hostPID:bool, 13 hostIPC:bool, 14 securityContext:PodSecurityContext*,
    15 imagePullSecrets:[]LocalObjectReference, 16 hostname, 17 subdomain, 18 affinity:Affinity*,
    19 schedulerName, 20 initContainers:[]Container, 21 automountServiceAccountToken:bool*,
    22 tolerations:[]Toleration, 23 hostAliases:[]HostAlias, 24 priorityClassName, 25 priority:int*,
    26 dnsConfig:PodDNSConfig*, 27 shareProcessNamespace:bool*, 28 readinessGates:[]PodReadinessGate,
    29 runtimeClassName*, 30 enableServiceLinks:bool*, 31 preemptionPolicy*, 32 overhead:{}Quantity,
    33 topologySpreadConstraints:[]TopologySpreadConstraint, 34 ephemeralContainers:[]EphemeralContainer,
    35 setHostnameAsFQDN:bool*, 36 os:PodOS*, 37 hostUsers:bool*, 38 schedulingGates:[]PodSchedulingGate,
    39 resourceClaims:[]PodResourceClaim, 40 resources:ResourceRequirements*, 41 hostnameOverride*,
    43 schedulingGroup:PodSchedulingGroup*, 44 evictionResponders:[]EvictionResponder
Volume: 1 name!, 2 ...VolumeSource
VolumeSource: 1 hostPath:HostPathVolumeSource*, 2 emptyDir:EmptyDirVolumeSource*,
    3 gcePersistentDisk:GCEPersistentDiskVolumeSource*,
    4 awsElasticBlockStore:AWSElasticBlockStoreVolumeSource*, 5 gitRepo:GitRepoVolumeSource*,
    6 secret:SecretVolumeSource*, 7 nfs:NFSVolumeSource*, 8 iscsi:ISCSIVolumeSource*,
    9 glusterfs:GlusterfsVolumeSource*, 10 persistentVolumeClaim:PersistentVolumeClaimVolumeSource*,
    11 rbd:RBDVolumeSource*, 12 flexVolume:FlexVolumeSource*, 13 cinder:CinderVolumeSource*,
    14 cephfs:CephFSVolumeSource*, 15 flocker:FlockerVolumeSource*, 16 downwardAPI:DownwardAPIVolumeSource*,
    17 fc:FCVolumeSource*, 18 azureFile:AzureFileVolumeSource*, 19 configMap:ConfigMapVolumeSource*,
    20 vsphereVolume:VsphereVirtualDiskVolumeSource*, 21 quobyte:QuobyteVolumeSource*,
    22 azureDisk:AzureDiskVolumeSource*, 23 photonPersistentDisk:PhotonPersistentDiskVolumeSource*,
    24 portworxVolume:PortworxVolumeSource*, 25 scaleIO:ScaleIOVolumeSource*,
    26 projected:ProjectedVolumeSource*, 27 storageos:StorageOSVolumeSource*, 28 csi:CSIVolumeSource*,
    29 ephemeral:EphemeralVolumeSource*, 30 image:ImageVolumeSource*
HostPathVolumeSource: 1 path!, 2 type*
EmptyDirVolumeSource: 1 medium, 2 sizeLimit:Quantity*, 3 mode:int*
GCEPersistentDiskVolumeSource: 1 pdName!, 2 fsType, 3 partition:int, 4 readOnly:bool
AWSElasticBlockStoreVolumeSource: 1 volumeID!, 2 fsType, 3 partition:int, 4 readOnly:bool
GitRepoVolumeSource: 1 repository!, 2 revision, 3 directory
SecretVolumeSource: 1 secretName, 2 items:[]KeyToPath, 3 defaultMode:int*, 4 optional:bool*,
    5 defaultUser:int*
KeyToPath: 1 key!, 2 path!, 3 mode:int*, 4 user:int*
NFSVolumeSource: 1 server!, 2 path!, 3 readOnly:bool
ISCSIVolumeSource: 1 targetPortal!, 2 iqn!, 3 lun:int!, 4 iscsiInterface, 5 fsType, 6 readOnly:bool,
    7 portals:[]string, 8 chapAuthDiscovery:bool, 10 secretRef:LocalObjectReference*,
    11 chapAuthSession:bool, 12 initiatorName*
GlusterfsVolumeSource: 1 endpoints!, 2 path!, 3 readOnly:bool
PersistentVolumeClaimVolumeSource: 1 claimName!, 2 readOnly:bool
RBDVolumeSource: 1 monitors:[]string, 2 image!, 3 fsType, 4 pool, 5 user, 6 keyring,
    7 secretRef:LocalObjectReference*, 8 readOnly:bool
FlexVolumeSource: 1 driver!, 2 fsType, 3 secretRef:LocalObjectReference*, 4 readOnly:bool,
    5 options:{}string
CinderVolumeSource: 1 volumeID!, 2 fsType, 3 readOnly:bool, 4 secretRef:LocalObjectReference*
CephFSVolumeSource: 1 monitors:[]string, 2 path, 3 user, 4 secretFile, 5 secretRef:LocalObjectReference*,
    6 readOnly:bool
FlockerVolumeSource: 1 datasetName, 2 datasetUUID
DownwardAPIVolumeSource: 1 items:[]DownwardAPIVolumeFile, 2 defaultMode:int*, 3 defaultUser:int*
DownwardAPIVolumeFile: 1 path!, 2 fieldRef:ObjectFieldSelector*, 3 resourceFieldRef:ResourceFieldSelector*,
    4 mode:int*, 5 user:int*
ObjectFieldSelector: 1 apiVersion, 2 fieldPath!
ResourceFieldSelector: 1 containerName, 2 resource!, 3 divisor:Quantity
FCVolumeSource: 1 targetWWNs:[]string, 2 lun:int*, 3 fsType, 4 readOnly:bool, 5 wwids:[]string
AzureFileVolumeSource: 1 secretName!, 2 shareName!, 3 readOnly:bool
ConfigMapVolumeSource: 1 ...LocalObjectReference, 2 items:[]KeyToPath, 3 defaultMode:int*, 4 optional:bool*,
    5 defaultUser:int*
VsphereVirtualDiskVolumeSource: 1 volumePath!, 2 fsType, 3 storagePolicyName, 4 storagePolicyID
QuobyteVolumeSource: 1 registry!, 2 volume!, 3 readOnly:bool, 4 user, 5 group, 6 tenant
AzureDiskVolumeSource: 1 diskName!, 2 diskURI!, 3 cachingMode*, 4 fsType*, 5 readOnly:bool*, 6 kind*
PhotonPersistentDiskVolumeSource: 1 pdID!, 2 fsType
ProjectedVolumeSource: 1 sources:[]VolumeProjection, 2 defaultMode:int*, 3 defaultUser:int*
VolumeProjection: 1 secret:SecretProjection*, 2 downwardAPI:DownwardAPIProjection*,
    3 configMap:ConfigMapProjection*, 4 serviceAccountToken:ServiceAccountTokenProjection*,
    5 clusterTrustBundle:ClusterTrustBundleProjection*, 6 podCertificate:PodCertificateProjection*
SecretProjection: 1 ...LocalObjectReference, 2 items:[]KeyToPath, 4 optional:bool*
DownwardAPIProjection: 1 items:[]DownwardAPIVolumeFile
ConfigMapProjection: 1 ...LocalObjectReference, 2 items:[]KeyToPath, 4 optional:bool*
ServiceAccountTokenProjection: 1 audience, 2 expirationSeconds:int*, 3 path!, 4 user:int*
ClusterTrustBundleProjection: 1 name*, 2 signerName*, 3 labelSelector:LabelSelector*, 4 path!,
    5 optional:bool*, 6 user:int*
PodCertificateProjection: 1 signerName, 2 keyType, 3 maxExpirationSeconds:int*, 4 credentialBundlePath,
    5 keyPath, 6 certificateChainPath, 7 userAnnotations:{}string, 8 user:int*
PortworxVolumeSource: 1 volumeID!, 2 fsType, 3 readOnly:bool
ScaleIOVolumeSource: 1 gateway!, 2 system!, 3 secretRef:LocalObjectReference*, 4 sslEnabled:bool,
    5 protectionDomain, 6 storagePool, 7 storageMode, 8 volumeName, 9 fsType, 10 readOnly:bool
StorageOSVolumeSource: 1 volumeName, 2 volumeNamespace, 3 fsType, 4 readOnly:bool,
    5 secretRef:LocalObjectReference*
CSIVolumeSource: 1 driver!, 2 readOnly:bool*, 3 fsType*, 4 volumeAttributes:{}string,
    5 nodePublishSecretRef:LocalObjectReference*
EphemeralVolumeSource: 1 volumeClaimTemplate:PersistentVolumeClaimTemplate*
PersistentVolumeClaimTemplate: 1 metadata:ObjectMeta, 2 spec:PersistentVolumeClaimSpec!
PersistentVolumeClaimSpec: 1 accessModes:[]string, 2 resources:VolumeResourceRequirements, 3 volumeName,
    4 selector:LabelSelector*, 5 storageClassName*, 6 volumeMode*, 7 dataSource:TypedLocalObjectReference*,
    8 dataSourceRef:TypedObjectReference*, 9 volumeAttributesClassName*
VolumeResourceRequirements: 1 limits:{}Quantity, 2 requests:{}Quantity
TypedLocalObjectReference: 1 apiGroup*, 2 kind!, 3 name!
TypedObjectReference: 1 apiGroup*, 2 kind!, 3 name!, 4 namespace*
ImageVolumeSource: 1 reference, 2 pullPolicy
Container: 1 name!, 2 image, 3 command:[]string, 4 args:[]string, 5 workingDir, 6 ports:[]ContainerPort,
    7 env:[]EnvVar, 8 resources:ResourceRequirements, 9 volumeMounts:[]VolumeMount, 10 livenessProbe:Probe*,
    11 readinessProbe:Probe*, 12 lifecycle:Lifecycle*, 13 terminationMessagePath, 14 imagePullPolicy,
    15 securityContext:SecurityContext*, 16 stdin:bool, 17 stdinOnce:bool, 18 tty:bool,
    19 envFrom:[]EnvFromSource, 20 terminationMessagePolicy, 21 volumeDevices:[]VolumeDevice,
    22 startupProbe:Probe*, 23 resizePolicy:[]ContainerResizePolicy, 24 restartPolicy*,
    25 restartPolicyRules:[]ContainerRestartRule
ContainerPort: 1 name, 2 hostPort:int, 3 containerPort:int!, 4 protocol, 5 hostIP
EnvFromSource: 1 prefix, 2 configMapRef:ConfigMapEnvSource*, 3 secretRef:SecretEnvSource*
ConfigMapEnvSource: 1 ...LocalObjectReference, 2 optional:bool*
SecretEnvSource: 1 ...LocalObjectReference, 2 optional:bool*
EnvVar: 1 name!, 2 value, 3 valueFrom:EnvVarSource*
EnvVarSource: 1 fieldRef:ObjectFieldSelector*, 2 resourceFieldRef:ResourceFieldSelector*,
    3 configMapKeyRef:ConfigMapKeySelector*, 4 secretKeyRef:SecretKeySelector*,
    5 fileKeyRef:FileKeySelector*
ConfigMapKeySelector: 1 ...LocalObjectReference, 2 key!, 3 optional:bool*
SecretKeySelector: 1 ...LocalObjectReference, 2 key!, 3 optional:bool*
FileKeySelector: 1 volumeName!, 2 path!, 3 key!, 4 optional:bool*
ResourceRequirements: 1 limits:{}Quantity, 2 requests:{}Quantity, 3 claims:[]ResourceClaim
ResourceClaim: 1 name!, 2 request
ContainerResizePolicy: 1 resourceName!, 2 restartPolicy!
ContainerRestartRule: 1 action, 2 exitCodes:ContainerRestartRuleOnExitCodes*
ContainerRestartRuleOnExitCodes: 1 operator, 2 values:[]int
VolumeMount: 1 name!, 2 readOnly:bool, 3 mountPath!, 4 subPath, 5 mountPropagation*, 6 subPathExpr,
    7 recursiveReadOnly*, 8 bindMountOptions:[]string
VolumeDevice: 1 name!, 2 devicePath!
Probe: 1 ...ProbeHandler, 2 initialDelaySeconds:int, 3 timeoutSeconds:int, 4 periodSeconds:int,
    5 successThreshold:int, 6 failureThreshold:int, 7 terminationGracePeriodSeconds:int*
ProbeHandler: 1 exec:ExecAction*, 2 httpGet:HTTPGetAction*, 3 tcpSocket:TCPSocketAction*,
    4 grpc:GRPCAction*
ExecAction: 1 command:[]string
HTTPGetAction: 1 path, 2 port:IntOrString!, 3 host, 4 scheme, 5 httpHeaders:[]HTTPHeader, 6 protocol*
HTTPHeader: 1 name!, 2 value!
TCPSocketAction: 1 port:IntOrString!, 2 host
GRPCAction: 1 port:int!, 2 service*, 3 mode*
Lifecycle: 1 postStart:LifecycleHandler*, 2 preStop:LifecycleHandler*, 3 stopSignal*
LifecycleHandler: 1 exec:ExecAction*, 2 httpGet:HTTPGetAction*, 3 tcpSocket:TCPSocketAction*,
    4 sleep:SleepAction*
SleepAction: 1 seconds:int!
SecurityContext: 1 capabilities:Capabilities*, 2 privileged:bool*, 3 seLinuxOptions:SELinuxOptions*,
    4 runAsUser:int*, 5 runAsNonRoot:bool*, 6 readOnlyRootFilesystem:bool*,
    7 allowPrivilegeEscalation:bool*, 8 runAsGroup:int*, 9 procMount*,
    10 windowsOptions:WindowsSecurityContextOptions*, 11 seccompProfile:SeccompProfile*,
    12 appArmorProfile:AppArmorProfile*
Capabilities: 1 add:[]string, 2 drop:[]string
SELinuxOptions: 1 user, 2 role, 3 type, 4 level
WindowsSecurityContextOptions: 1 gmsaCredentialSpecName*, 2 gmsaCredentialSpec*, 3 runAsUserName*,
    4 hostProcess:bool*
SeccompProfile: 1 type!, 2 localhostProfile*
AppArmorProfile: 1 type!, 2 localhostProfile*
EphemeralContainer: 1 ...EphemeralContainerCommon, 2 targetContainerName
EphemeralContainerCommon: 1 name!, 2 image, 3 command:[]string, 4 args:[]string, 5 workingDir,
    6 ports:[]ContainerPort, 7 env:[]EnvVar, 8 resources:ResourceRequirements, 9 volumeMounts:[]VolumeMount,
    10 livenessProbe:Probe*, 11 readinessProbe:Probe*, 12 lifecycle:Lifecycle*, 13 terminationMessagePath,
    14 imagePullPolicy, 15 securityContext:SecurityContext*, 16 stdin:bool, 17 stdinOnce:bool, 18 tty:bool,
    19 envFrom:[]EnvFromSource, 20 terminationMessagePolicy, 21 volumeDevices:[]VolumeDevice,
    22 startupProbe:Probe*, 23 resizePolicy:[]ContainerResizePolicy, 24 restartPolicy*,
    25 restartPolicyRules:[]ContainerRestartRule
PodSecurityContext: 1 seLinuxOptions:SELinuxOptions*, 2 runAsUser:int*, 3 runAsNonRoot:bool*,
    4 supplementalGroups:[]int, 5 fsGroup:int*, 6 runAsGroup:int*, 7 sysctls:[]Sysctl,
    8 windowsOptions:WindowsSecurityContextOptions*, 9 fsGroupChangePolicy*,
    10 seccompProfile:SeccompProfile*, 11 appArmorProfile:AppArmorProfile*, 12 supplementalGroupsPolicy*,
    13 seLinuxChangePolicy*
Sysctl: 1 name!, 2 value!
Affinity: 1 nodeAffinity:NodeAffinity*, 2 podAffinity:PodAffinity*, 3 podAntiAffinity:PodAntiAffinity*
NodeAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution:NodeSelector*,
    2 preferredDuringSchedulingIgnoredDuringExecution:[]PreferredSchedulingTerm
NodeSelector: 1 nodeSelectorTerms:[]NodeSelectorTerm
NodeSelectorTerm: 1 matchExpressions:[]NodeSelectorRequirement, 2 matchFields:[]NodeSelectorRequirement
NodeSelectorRequirement: 1 key!, 2 operator!, 3 values:[]string
PreferredSchedulingTerm: 1 weight:int!, 2 preference:NodeSelectorTerm!
PodAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution:[]PodAffinityTerm,
    2 preferredDuringSchedulingIgnoredDuringExecution:[]WeightedPodAffinityTerm
PodAffinityTerm: 1 labelSelector:LabelSelector*, 2 namespaces:[]string, 3 topologyKey!,
    4 namespaceSelector:LabelSelector*, 5 matchLabelKeys:[]string, 6 mismatchLabelKeys:[]string
WeightedPodAffinityTerm: 1 weight:int!, 2 podAffinityTerm:PodAffinityTerm!
PodAntiAffinity: 1 requiredDuringSchedulingIgnoredDuringExecution:[]PodAffinityTerm,
    2 preferredDuringSchedulingIgnoredDuringExecution:[]WeightedPodAffinityTerm
Toleration: 1 key, 2 operator, 3 value, 4 effect, 5 tolerationSeconds:int*
HostAlias: 1 ip!, 2 hostnames:[]string
PodDNSConfig: 1 nameservers:[]string, 2 searches:[]string, 3 options:[]PodDNSConfigOption
PodDNSConfigOption: 1 name, 2 value*
PodReadinessGate: 1 conditionType!
TopologySpreadConstraint: 1 maxSkew:int!, 2 topologyKey!, 3 whenUnsatisfiable!,
    4 labelSelector:LabelSelector*, 5 minDomains:int*, 6 nodeAffinityPolicy*, 7 nodeTaintsPolicy*,
    8 matchLabelKeys:[]string
PodOS: 1 name!
PodSchedulingGate: 1 name!
PodResourceClaim: 1 name!, 3 resourceClaimName*, 4 resourceClaimTemplateName*
PodSchedulingGroup: 1 podGroupName*
EvictionResponder: 1 name!, 2 priority:int*
PodStatus: 1 phase, 2 conditions:[]PodCondition, 3 message, 4 reason, 5 hostIP, 6 podIP, 7 startTime:Time*,
    8 containerStatuses:[]ContainerStatus, 9 qosClass, 10 initContainerStatuses:[]ContainerStatus,
    11 nominatedNodeName, 12 podIPs:[]PodIP, 13 ephemeralContainerStatuses:[]ContainerStatus, 14 resize,
    15 resourceClaimStatuses:[]PodResourceClaimStatus, 16 hostIPs:[]HostIP, 17 observedGeneration:int,
    18 extendedResourceClaimStatus:PodExtendedResourceClaimStatus*, 19 allocatedResources:{}Quantity,
    20 resources:ResourceRequirements*,
    21 nodeAllocatableResourceClaimStatuses:[]NodeAllocatableResourceClaimStatus,
    22 volumeHealth:[]PodVolumeHealth
PodCondition: 1 type!, 2 status!, 3 lastProbeTime:Time, 4 lastTransitionTime:Time, 5 reason, 6 message,
    7 observedGeneration:int
HostIP: 1 ip!
PodIP: 1 ip!
ContainerStatus: 1 name!, 2 state:ContainerState, 3 lastState:ContainerState, 4 ready:bool!,
    5 restartCount:int!, 6 image!, 7 imageID!, 8 containerID, 9 started:bool*,
    10 allocatedResources:{}Quantity, 11 resources:ResourceRequirements*,
    12 volumeMounts:[]VolumeMountStatus, 13 user:ContainerUser*,
    14 allocatedResourcesStatus:[]ResourceStatus, 15 stopSignal*
ContainerState: 1 waiting:ContainerStateWaiting*, 2 running:ContainerStateRunning*,
    3 terminated:ContainerStateTerminated*
ContainerStateWaiting: 1 reason, 2 message
ContainerStateRunning: 1 startedAt:Time
ContainerStateTerminated: 1 exitCode:int!, 2 signal:int, 3 reason, 4 message, 5 startedAt:Time,
    6 finishedAt:Time, 7 containerID
VolumeMountStatus: 1 name!, 2 mountPath!, 3 readOnly:bool, 4 recursiveReadOnly*,
    5 volumeStatus:VolumeStatus*
VolumeStatus: 1 image:ImageVolumeStatus*
ImageVolumeStatus: 1 imageRef
ContainerUser: 1 linux:LinuxContainerUser*
LinuxContainerUser: 1 uid:int!, 2 gid:int!, 3 supplementalGroups:[]int
ResourceStatus: 1 name!, 2 resources:[]ResourceHealth
ResourceHealth: 1 resourceID!, 2 health, 6 message*
PodResourceClaimStatus: 1 name!, 2 resourceClaimName*
PodExtendedResourceClaimStatus: 1 requestMappings:[]ContainerExtendedResourceRequest, 2 resourceClaimName!
ContainerExtendedResourceRequest: 1 containerName!, 2 resourceName!, 3 requestName!
NodeAllocatableResourceClaimStatus: 1 resourceClaimName!, 2 containers:[]string,
    4 mapping:[]NodeAllocatableMappedResources, 5 overhead:[]NodeAllocatableOverheadResources
NodeAllocatableMappedResources: 1 name!, 2 quantity:Quantity*
NodeAllocatableOverheadResources: 1 name!, 2 perPod:Quantity*, 3 perContainer:Quantity*
PodVolumeHealth: 1 name!, 2 healthConditions:[]VolumeHealthCondition, 3 lastTransitionTime:Time
VolumeHealthCondition: 1 status!, 2 reason!, 3 message
ResourceQuota: 1 metadata:ObjectMeta, 2 spec:ResourceQuotaSpec, 3 status:ResourceQuotaStatus
ResourceQuotaSpec: 1 hard:{}Quantity, 2 scopes:[]string, 3 scopeSelector:ScopeSelector*
ScopeSelector: 1 matchExpressions:[]ScopedResourceSelectorRequirement
ScopedResourceSelectorRequirement: 1 scopeName!, 2 operator!, 3 values:[]string
ResourceQuotaStatus: 1 hard:{}Quantity, 2 used:{}Quantity
PodTemplateSpec: 1 metadata:ObjectMeta, 2 spec:PodSpec
# k8s.io/api/apps/v1
Deployment: 1 metadata:ObjectMeta, 2 spec:DeploymentSpec, 3 status:DeploymentStatus
DeploymentSpec: 1 replicas:int*, 2 selector:LabelSelector*, 3 template:PodTemplateSpec!,
    4 strategy:DeploymentStrategy, 5 minReadySeconds:int, 6 revisionHistoryLimit:int*, 7 paused:bool,
    9 progressDeadlineSeconds:int*
DeploymentStrategy: 1 type, 2 rollingUpdate:RollingUpdateDeployment*
RollingUpdateDeployment: 1 maxUnavailable:IntOrString*, 2 maxSurge:IntOrString*
DeploymentStatus: 1 observedGeneration:int, 2 replicas:int, 3 updatedReplicas:int, 4 availableReplicas:int,
    5 unavailableReplicas:int, 6 conditions:[]DeploymentCondition, 7 readyReplicas:int,
    8 collisionCount:int*, 9 terminatingReplicas:int*
DeploymentCondition: 1 type!, 2 status!, 4 reason, 5 message, 6 lastUpdateTime:Time,
    7 lastTransitionTime:Time
# k8s.io/api/batch/v1
Job: 1 metadata:ObjectMeta, 2 spec:JobSpec, 3 status:JobStatus
JobSpec: 1 parallelism:int*, 2 completions:int*, 3 activeDeadlineSeconds:int*, 4 selector:LabelSelector*,
    5 manualSelector:bool*, 6 template:PodTemplateSpec!, 7 backoffLimit:int*,
    8 ttlSecondsAfterFinished:int*, 9 completionMode*, 10 suspend:bool*,
    11 podFailurePolicy:PodFailurePolicy*, 12 backoffLimitPerIndex:int*, 13 maxFailedIndexes:int*,
    14 podReplacementPolicy*, 15 managedBy*, 16 successPolicy:SuccessPolicy*,
    17 scheduling:JobSchedulingConfiguration*
PodFailurePolicy: 1 rules:[]PodFailurePolicyRule
PodFailurePolicyRule: 1 action!, 2 onExitCodes:PodFailurePolicyOnExitCodesRequirement*,
    3 onPodConditions:[]PodFailurePolicyOnPodConditionsPattern
PodFailurePolicyOnExitCodesRequirement: 1 containerName*, 2 operator!, 3 values:[]int
PodFailurePolicyOnPodConditionsPattern: 1 type!, 2 status!
SuccessPolicy: 1 rules:[]SuccessPolicyRule
SuccessPolicyRule: 1 succeededIndexes*, 2 succeededCount:int*
JobSchedulingConfiguration: 1 schedulingPolicy:WorkloadPodGroupSchedulingPolicy*,
    2 schedulingConstraints:WorkloadPodGroupSchedulingConstraints*,
    3 disruptionMode:WorkloadPodGroupDisruptionMode*, 4 resourceClaims:[]WorkloadPodGroupResourceClaim
JobStatus: 1 conditions:[]JobCondition, 2 startTime:Time*, 3 completionTime:Time*, 4 active:int,
    5 succeeded:int, 6 failed:int, 7 completedIndexes, 8 uncountedTerminatedPods:UncountedTerminatedPods*,
    9 ready:int*, 10 failedIndexes*, 11 terminating:int*
JobCondition: 1 type!, 2 status!, 3 lastProbeTime:Time, 4 lastTransitionTime:Time, 5 reason, 6 message
UncountedTerminatedPods: 1 succeeded:[]string, 2 failed:[]string
CronJob: 1 metadata:ObjectMeta, 2 spec:CronJobSpec, 3 status:CronJobStatus
CronJobSpec: 1 schedule!, 2 startingDeadlineSeconds:int*, 3 concurrencyPolicy, 4 suspend:bool*,
    5 jobTemplate:JobTemplateSpec!, 6 successfulJobsHistoryLimit:int*, 7 failedJobsHistoryLimit:int*,
    8 timeZone*
JobTemplateSpec: 1 metadata:ObjectMeta, 2 spec:JobSpec
CronJobStatus: 1 active:[]ObjectReference, 4 lastScheduleTime:Time*, 5 lastSuccessfulTime:Time*
# k8s.io/api/scheduling/v1alpha3
WorkloadPodGroupSchedulingPolicy: 1 basic:WorkloadPodGroupBasicSchedulingPolicy*,
    2 gang:WorkloadPodGroupGangSchedulingPolicy*
WorkloadPodGroupBasicSchedulingPolicy:
WorkloadPodGroupGangSchedulingPolicy: 1 minCount:int*
WorkloadPodGroupSchedulingConstraints: 1 topology:[]TopologyConstraint
TopologyConstraint: 1 key!
WorkloadPodGroupDisruptionMode: 1 single:WorkloadPodGroupSingleDisruptionMode*,
    2 all:WorkloadPodGroupAllDisruptionMode*
WorkloadPodGroupSingleDisruptionMode:
WorkloadPodGroupAllDisruptionMode:
WorkloadPodGroupResourceClaim: 1 name!, 2 resourceClaimName*, 3 resourceClaimTemplateName*
# k8s.io/api/rbac/v1
Role: 1 metadata:ObjectMeta, 2 rules:[]PolicyRule
PolicyRule: 1 verbs:[]string, 2 apiGroups:[]string, 3 resources:[]string, 4 resourceNames:[]string,
    5 nonResourceURLs:[]string
ClusterRole: 1 metadata:ObjectMeta, 2 rules:[]PolicyRule, 3 aggregationRule:AggregationRule*
AggregationRule: 1 clusterRoleSelectors:[]LabelSelector
RoleBinding: 1 metadata:ObjectMeta, 2 subjects:[]Subject, 3 roleRef:RoleRef!
Subject: 1 kind!, 2 apiGroup, 3 name!, 4 namespace
RoleRef: 1 apiGroup!, 2 kind!, 3 name!
ClusterRoleBinding: 1 metadata:ObjectMeta, 2 subjects:[]Subject, 3 roleRef:RoleRef!
# k8s.io/api/policy/v1
PodDisruptionBudget: 1 metadata:ObjectMeta, 2 spec:PodDisruptionBudgetSpec,
    3 status:PodDisruptionBudgetStatus
PodDisruptionBudgetSpec: 1 minAvailable:IntOrString*, 2 selector:LabelSelector*,
    3 maxUnavailable:IntOrString*, 4 unhealthyPodEvictionPolicy*
PodDisruptionBudgetStatus: 1 observedGeneration:int, 2 disruptedPods:Time, 3 disruptionsAllowed:int!,
    4 currentHealthy:int!, 5 desiredHealthy:int!, 6 expectedPods:int!, 7 conditions:[]Condition
Eviction: 1 metadata:ObjectMeta, 2 deleteOptions:DeleteOptions*
# k8s.io/api/networking/v1
Ingress: 1 metadata:ObjectMeta, 2 spec:IngressSpec, 3 status:IngressStatus
IngressSpec: 1 defaultBackend:IngressBackend*, 2 tls:[]IngressTLS, 3 rules:[]IngressRule,
    4 ingressClassName*
IngressBackend: 3 resource:TypedLocalObjectReference*, 4 service:IngressServiceBackend*
IngressServiceBackend: 1 name!, 2 port:ServiceBackendPort
ServiceBackendPort: 1 name, 2 number:int
IngressTLS: 1 hosts:[]string, 2 secretName
IngressRule: 1 host, 2 ...IngressRuleValue
IngressRuleValue: 1 http:HTTPIngressRuleValue*
HTTPIngressRuleValue: 1 paths:[]HTTPIngressPath
HTTPIngressPath: 1 path, 2 backend:IngressBackend!, 3 pathType*
IngressStatus: 1 loadBalancer:IngressLoadBalancerStatus
IngressLoadBalancerStatus: 1 ingress:[]IngressLoadBalancerIngress
IngressLoadBalancerIngress: 1 ip, 2 hostname, 4 ports:[]IngressPortStatus
IngressPortStatus: 1 port:int!, 2 protocol!, 3 error*
# k8s.io/api/scheduling/v1
PriorityClass: 1 metadata:ObjectMeta, 2 value:int!, 3 globalDefault:bool, 4 description,
    5 preemptionPolicy*
# k8s.io/api/authentication/v1
TokenRequest: 1 metadata:ObjectMeta, 2 spec:TokenRequestSpec!, 3 status:TokenRequestStatus
TokenRequestSpec: 1 audiences:[]string, 3 boundObjectRef:BoundObjectReference*, 4 expirationSeconds:int*,
    5 attestations:{}AttestationValue
BoundObjectReference: 1 kind, 2 apiVersion, 3 name, 4 uid
TokenRequestStatus: 1 token!, 2 expirationTimestamp:Time!
SelfSubjectReview: 1 metadata:ObjectMeta, 2 status:SelfSubjectReviewStatus
SelfSubjectReviewStatus: 1 userInfo:UserInfo
UserInfo: 1 username, 2 uid, 3 groups:[]string, 4 extra:{}ExtraValue
# k8s.io/api/authorization/v1
SelfSubjectAccessReview: 1 metadata:ObjectMeta, 2 spec:SelfSubjectAccessReviewSpec!,
    3 status:SubjectAccessReviewStatus
SelfSubjectAccessReviewSpec: 1 resourceAttributes:ResourceAttributes*,
    2 nonResourceAttributes:NonResourceAttributes*
ResourceAttributes: 1 namespace, 2 verb, 3 group, 4 version, 5 resource, 6 subresource, 7 name,
    8 fieldSelector:FieldSelectorAttributes*, 9 labelSelector:LabelSelectorAttributes*
FieldSelectorAttributes: 1 rawSelector, 2 requirements:[]FieldSelectorRequirement
LabelSelectorAttributes: 1 rawSelector, 2 requirements:[]LabelSelectorRequirement
NonResourceAttributes: 1 path, 2 verb
SubjectAccessReviewStatus: 1 allowed:bool!, 2 reason, 3 evaluationError, 4 denied:bool
SelfSubjectRulesReview: 1 metadata:ObjectMeta, 2 spec:SelfSubjectRulesReviewSpec!,
    3 status:SubjectRulesReviewStatus
SelfSubjectRulesReviewSpec: 1 namespace
SubjectRulesReviewStatus: 1 resourceRules:[]ResourceRule, 2 nonResourceRules:[]NonResourceRule,
    3 incomplete:bool!, 4 evaluationError
ResourceRule: 1 verbs:[]string, 2 apiGroups:[]string, 3 resources:[]string, 4 resourceNames:[]string
NonResourceRule: 1 verbs:[]string, 2 nonResourceURLs:[]string
# k8s.io/api/autoscaling/v2
HorizontalPodAutoscaler: 1 metadata:ObjectMeta, 2 spec:HorizontalPodAutoscalerSpec,
    3 status:HorizontalPodAutoscalerStatus
HorizontalPodAutoscalerSpec: 1 scaleTargetRef:CrossVersionObjectReference!, 2 minReplicas:int*,
    3 maxReplicas:int!, 4 metrics:[]MetricSpec, 5 behavior:HorizontalPodAutoscalerBehavior*
CrossVersionObjectReference: 1 kind!, 2 name!, 3 apiVersion
MetricSpec: 1 type!, 2 object:ObjectMetricSource*, 3 pods:PodsMetricSource*,
    4 resource:ResourceMetricSource*, 5 external:ExternalMetricSource*,
    7 containerResource:ContainerResourceMetricSource*
ObjectMetricSource: 1 describedObject:CrossVersionObjectReference!, 2 target:MetricTarget!,
    3 metric:MetricIdentifier!
MetricTarget: 1 type!, 2 value:Quantity*, 3 averageValue:Quantity*, 4 averageUtilization:int*
MetricIdentifier: 1 name!, 2 selector:LabelSelector*
PodsMetricSource: 1 metric:MetricIdentifier!, 2 target:MetricTarget!
ResourceMetricSource: 1 name!, 2 target:MetricTarget!
ContainerResourceMetricSource: 1 name!, 2 target:MetricTarget!, 3 container!
ExternalMetricSource: 1 metric:MetricIdentifier!, 2 target:MetricTarget!
HorizontalPodAutoscalerBehavior: 1 scaleUp:HPAScalingRules*, 2 scaleDown:HPAScalingRules*
HPAScalingRules: 1 selectPolicy*, 2 policies:[]HPAScalingPolicy, 3 stabilizationWindowSeconds:int*,
    4 tolerance:Quantity*
HPAScalingPolicy: 1 type!, 2 value:int!, 3 periodSeconds:int!
HorizontalPodAutoscalerStatus: 1 observedGeneration:int*, 2 lastScaleTime:Time*, 3 currentReplicas:int,
    4 desiredReplicas:int!, 5 currentMetrics:[]MetricStatus,
    6 conditions:[]HorizontalPodAutoscalerCondition
MetricStatus: 1 type!, 2 object:ObjectMetricStatus*, 3 pods:PodsMetricStatus*,
    4 resource:ResourceMetricStatus*, 5 external:ExternalMetricStatus*,
    7 containerResource:ContainerResourceMetricStatus*
ObjectMetricStatus: 1 metric:MetricIdentifier!, 2 current:MetricValueStatus!,
    3 describedObject:CrossVersionObjectReference!
MetricValueStatus: 1 value:Quantity*, 2 averageValue:Quantity*, 3 averageUtilization:int*
PodsMetricStatus: 1 metric:MetricIdentifier!, 2 current:MetricValueStatus!
ResourceMetricStatus: 1 name!, 2 current:MetricValueStatus!
ContainerResourceMetricStatus: 1 name!, 2 current:MetricValueStatus!, 3 container!
ExternalMetricStatus: 1 metric:MetricIdentifier!, 2 current:MetricValueStatus!
HorizontalPodAutoscalerCondition: 1 type!, 2 status!, 3 lastTransitionTime:Time, 4 reason, 5 message,
    6 observedGeneration:int*
# k8s.io/api/certificates/v1
CertificateSigningRequest: 1 metadata:ObjectMeta, 2 spec:CertificateSigningRequestSpec!,
    3 status:CertificateSigningRequestStatus
CertificateSigningRequestSpec: 1 request:bytes!, 2 username, 3 uid, 4 groups:[]string, 5 usages:[]string,
    6 extra:{}ExtraValue, 7 signerName!, 8 expirationSeconds:int*
CertificateSigningRequestStatus: 1 conditions:[]CertificateSigningRequestCondition, 2 certificate:bytes
CertificateSigningRequestCondition: 1 type!, 2 reason, 3 message, 4 lastUpdateTime:Time,
    5 lastTransitionTime:Time, 6 status!

"""

# Top-level kinds by apiVersion: the objects kubectl's typed clients send.
KINDS = {
    "v1": ("Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service", "Pod", "ResourceQuota"),
    "apps/v1": ("Deployment",),
    "batch/v1": ("Job", "CronJob"),
    "rbac.authorization.k8s.io/v1": ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"),
    "policy/v1": ("PodDisruptionBudget", "Eviction"),
    "networking.k8s.io/v1": ("Ingress",),
    "scheduling.k8s.io/v1": ("PriorityClass",),
    "authentication.k8s.io/v1": ("TokenRequest", "SelfSubjectReview"),
    "authorization.k8s.io/v1": ("SelfSubjectAccessReview", "SelfSubjectRulesReview"),
    "autoscaling/v2": ("HorizontalPodAutoscaler",),
    "certificates.k8s.io/v1": ("CertificateSigningRequest",),
}
# Registered in every group version, as metav1.AddToGroupVersion does.
META_KINDS = ("DeleteOptions",)

SCALARS = ("string", "int", "bool", "bytes", "float")
SPECIAL = ("Time", "MicroTime", "Duration", "IntOrString", "Quantity", "RawExtension", "FieldsV1", "ExtraValue",
           "AttestationValue")


@dataclass(frozen=True)
class Field:
    number: int
    name: str           # the JSON name; "" for an inlined embedded struct
    kind: str           # a scalar, a special type or a message name
    repeated: bool = False
    map: bool = False   # map<string, kind>
    pointer: bool = False
    keep_zero: bool = False
    inline: bool = False


def _parse_field(token: str) -> Field:
    number, spec = token.split(" ", 1)
    if spec.startswith("..."):
        return Field(int(number), "", spec[3:], inline=True)
    pointer, keep_zero = spec.endswith("*"), spec.endswith("!")
    spec = spec.rstrip("*!")
    name, _, kind = spec.partition(":")
    repeated, is_map = kind.startswith("[]"), kind.startswith("{}")
    kind = kind[2:] if repeated or is_map else kind
    return Field(int(number), name, kind or "string", repeated, is_map, pointer, keep_zero)


def _parse_table(text: str) -> tuple[dict[str, dict[int, Field]], dict[str, str]]:
    """The tables -> (message name -> {number: Field}, message name -> Go package)."""
    lines: list[tuple[str, str]] = []
    package = ""
    for line in text.splitlines():
        if line.startswith("# "):
            package = line[2:].strip()
        elif line.startswith(" "):
            lines[-1] = (lines[-1][0], lines[-1][1] + " " + line.strip())
        elif line.strip():
            lines.append((package, line))
    messages, packages = {}, {}
    for package, line in lines:
        name, _, body = line.partition(":")
        tokens = [t.strip() for t in body.split(",") if t.strip()]
        messages[name] = {f.number: f for f in map(_parse_field, tokens)}
        packages[name] = package
    return messages, packages


MESSAGES, PACKAGES = _parse_table(_TABLE)


def message_for(api_version: str, kind: str) -> str | None:
    """The message name of a top-level kind, or None when it is not covered."""
    if kind in META_KINDS or kind in KINDS.get(api_version, ()):
        return kind
    return None


# -- decoding --------------------------------------------------------------------


def decode(raw: bytes, api_version: str = "", kind: str = "") -> dict:
    """A protobuf request body -> the object dict, as if its JSON had been posted.

    ``api_version`` and ``kind`` stand in for an envelope without type meta, as
    the request path's group, version and kind do in kube-apiserver.
    """
    if not raw:
        raise errors.bad_request("empty data")
    if not raw.startswith(MAGIC):
        prefix = " ".join(str(b) for b in MAGIC)
        raise errors.bad_request(f"provided data does not appear to be a protobuf message, expected prefix [{prefix}]")
    if len(raw) == len(MAGIC):
        raise errors.bad_request("empty body")
    try:
        envelope = decode_unknown(raw[len(MAGIC):])
        api_version = envelope["apiVersion"] or api_version
        kind = envelope["kind"] or kind
        if not kind:
            raise errors.bad_request(f"Object 'Kind' is missing in '{_go_type_meta(api_version, kind)}'")
        if not api_version:
            raise errors.bad_request(f"Object 'apiVersion' is missing in '{_go_type_meta(api_version, kind)}'")
        message = message_for(api_version, kind)
        if message is None:
            raise errors.StatusError(
                415, "UnsupportedMediaType",
                f"kernelsim cannot decode {kind} ({api_version}) from {MEDIA_TYPE}; "
                "send it as application/json")
        return {"apiVersion": api_version, "kind": kind, **decode_message(message, envelope["raw"])}
    except WireError as e:
        raise errors.bad_request(str(e)) from None


def decode_unknown(buf: bytes) -> dict:
    """``runtime.Unknown``: typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4."""
    out = {"apiVersion": "", "kind": "", "raw": b"", "contentEncoding": "", "contentType": ""}
    for number, wire, value in iter_fields(buf):
        if number == 1 and wire == BYTES:
            for n, w, v in iter_fields(value):
                if n in (1, 2) and w == BYTES:
                    out["apiVersion" if n == 1 else "kind"] = _text(v)
        elif number == 2 and wire == BYTES:
            out["raw"] = value
        elif number in (3, 4) and wire == BYTES:
            out["contentEncoding" if number == 3 else "contentType"] = _text(value)
    return out


def decode_message(name: str, buf: bytes) -> dict:
    """One message of the tables -> its JSON form (Go struct order, zero values dropped)."""
    fields = MESSAGES[name]
    seen: dict[int, object] = {}
    for number, wire, value in iter_fields(buf):
        field = fields.get(number)
        if field is None:
            continue  # an unknown field is skipped, as generated.pb.go does
        if field.map:
            key, item = _map_entry(field, wire, value)
            seen.setdefault(number, {})[key] = item
        elif field.repeated:
            seen.setdefault(number, []).extend(_repeated(field, wire, value))
        elif field.inline:
            seen.setdefault(number, {}).update(_single(field, wire, value))
        else:
            seen[number] = _single(field, wire, value)  # the last one wins
    out: dict = {}
    for number, field in fields.items():
        if number not in seen:
            continue
        value = seen[number]
        if field.inline:
            out.update(value)
        elif not _omitted(field, value):
            out[field.name] = value
    return out


def _omitted(field: Field, value) -> bool:
    """Whether Go's JSON encoder leaves this field out (or writes null)."""
    if value is None:
        return True
    if field.pointer or field.keep_zero or isinstance(value, (dict, list)):
        return False
    return value == "" or (value == 0 and not isinstance(value, str))


def _single(field: Field, wire: int, value):
    if field.kind in SCALARS:
        return _scalar(field, wire, value)
    if wire != BYTES:
        raise _wrong_wire(field, wire)
    if field.kind in SPECIAL:
        return _SPECIAL_DECODERS[field.kind](value)
    return decode_message(field.kind, value)


def _repeated(field: Field, wire: int, value) -> list:
    if wire == BYTES and field.kind in ("int", "bool", "float"):
        return _packed(field, value)
    return [_single(field, wire, value)]


def _packed(field: Field, buf: bytes) -> list:
    out, pos = [], 0
    while pos < len(buf):
        if field.kind == "float":
            out.append(struct.unpack_from("<d", buf, pos)[0])
            pos += 8
            continue
        v, pos = read_varint(buf, pos)
        out.append(bool(v) if field.kind == "bool" else signed64(v))
    return out


def _map_entry(field: Field, wire: int, value) -> tuple[str, object]:
    """A map entry message: key=1 (string), value=2."""
    if wire != BYTES:
        raise _wrong_wire(field, wire)
    key, item = "", None
    for n, w, v in iter_fields(value):
        if n == 1:
            key = _text(v) if w == BYTES else str(v)
        elif n == 2:
            item = _single(field, w, v)
    if item is None:
        item = _ZERO_MAP_VALUES.get(field.kind, "")
    return key, item


_ZERO_MAP_VALUES = {"Quantity": "0", "ExtraValue": [], "AttestationValue": [], "int": 0, "bool": False}


def _scalar(field: Field, wire: int, value):
    kind = field.kind
    if kind in ("string", "bytes"):
        if wire != BYTES:
            raise _wrong_wire(field, wire)
        return _text(value) if kind == "string" else base64.b64encode(value).decode()
    if kind == "float":
        if wire != FIXED64:
            raise _wrong_wire(field, wire)
        return struct.unpack("<d", value.to_bytes(8, "little"))[0]
    if wire != VARINT:
        raise _wrong_wire(field, wire)
    return bool(value) if kind == "bool" else signed64(value)


def _wrong_wire(field: Field, wire: int) -> WireError:
    return WireError(f"proto: wrong wireType = {wire} for field {field.name or field.kind}")


def _text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def _go_type_meta(api_version: str, kind: str) -> str:
    return f'runtime.TypeMeta{{APIVersion:"{api_version}", Kind:"{kind}"}}'


# -- special types -------------------------------------------------------------


def _ints(buf: bytes) -> dict[int, int]:
    return {n: signed64(v) for n, w, v in iter_fields(buf) if w == VARINT}


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _instant(seconds: int, micros: int = 0) -> _dt.datetime:
    try:
        return _EPOCH + _dt.timedelta(seconds=seconds, microseconds=micros)
    except OverflowError:
        raise WireError(f"proto: timestamp out of range: {seconds}") from None


def decode_time(buf: bytes) -> str | None:
    """``metav1.Time`` (seconds=1, nanos=2): RFC 3339 to the second; an empty message is the zero time."""
    if not buf:
        return None
    return _instant(_ints(buf).get(1, 0)).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_micro_time(buf: bytes) -> str | None:
    """``metav1.MicroTime``: like Time, with the nanos truncated to microseconds."""
    if not buf:
        return None
    v = _ints(buf)
    return _instant(v.get(1, 0), v.get(2, 0) // 1000).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decode_duration(buf: bytes) -> str:
    """``metav1.Duration`` (duration=1, in nanoseconds) as Go's ``time.Duration.String()``."""
    return go_duration(_ints(buf).get(1, 0))


def go_duration(ns: int) -> str:
    """Go's ``time.Duration.String()``: "1h2m3.5s", "1.5ms", "0s"."""
    if ns == 0:
        return "0s"
    sign, u = ("-" if ns < 0 else ""), abs(ns)
    if u < 1000:
        return f"{sign}{u}ns"
    if u < 10**6:
        return f"{sign}{_decimal(u, 3)}µs"
    if u < 10**9:
        return f"{sign}{_decimal(u, 6)}ms"
    text = f"{_decimal(u % (60 * 10**9), 9)}s"
    minutes = u // (60 * 10**9)
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes >= 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def _decimal(value: int, digits: int) -> str:
    whole, frac = divmod(value, 10**digits)
    return f"{whole}.{frac:0{digits}d}".rstrip("0") if frac else str(whole)


def decode_int_or_string(buf: bytes) -> int | str:
    """``intstr.IntOrString`` (type=1, intVal=2, strVal=3): a number, or a string when type is 1."""
    kind, number, text = 0, 0, ""
    for n, w, v in iter_fields(buf):
        if n == 1 and w == VARINT:
            kind = v
        elif n == 2 and w == VARINT:
            number = signed64(v)
        elif n == 3 and w == BYTES:
            text = _text(v)
    return text if kind == 1 else number


def decode_quantity(buf: bytes) -> str:
    """``resource.Quantity`` (string=1), kept in its written form."""
    for n, w, v in iter_fields(buf):
        if n == 1 and w == BYTES:
            return _text(v)
    return "0"


def decode_raw_extension(buf: bytes):
    """``runtime.RawExtension`` (raw=1): the embedded object, JSON or protobuf."""
    raw = b"".join(v for n, w, v in iter_fields(buf) if n == 1 and w == BYTES)
    if not raw:
        return None
    if raw.startswith(MAGIC):
        return decode(raw)
    return _json(raw)


def decode_fields_v1(buf: bytes):
    """``metav1.FieldsV1`` (raw=1): managed-fields JSON, passed through."""
    raw = b"".join(v for n, w, v in iter_fields(buf) if n == 1 and w == BYTES)
    return _json(raw) if raw else None


def decode_string_list(buf: bytes) -> list[str]:
    """``ExtraValue`` and ``AttestationValue`` (items=1): a list of strings."""
    return [_text(v) for n, w, v in iter_fields(buf) if n == 1 and w == BYTES]


def _json(raw: bytes):
    try:
        return json.loads(raw)
    except ValueError as e:
        raise WireError(f"invalid JSON in embedded object: {e}") from None


_SPECIAL_DECODERS = {
    "Time": decode_time,
    "MicroTime": decode_micro_time,
    "Duration": decode_duration,
    "IntOrString": decode_int_or_string,
    "Quantity": decode_quantity,
    "RawExtension": decode_raw_extension,
    "FieldsV1": decode_fields_v1,
    "ExtraValue": decode_string_list,
    "AttestationValue": decode_string_list,
}
