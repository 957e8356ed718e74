"""Captions for request-flow tracing, in English and Korean.

Each :class:`kernelsim.sim.trace.TraceRecord` ("kubectl -> kube-apiserver POST
deployments") becomes one sentence a learner can read under the architecture
diagram, the way the Kubernetes "Components" page explains who talks to whom:
kubectl talks to kube-apiserver, only kube-apiserver talks to etcd, the
kubelet asks the container runtime (CRI) to run pods.
"""

from __future__ import annotations

import re

from ..api import resources

LANGS = ("en", "ko")

# Who stands for the learner in the trace: the real kubectl over HTTP, the
# in-process client, the official Python client.
USER_SOURCES = ("kubectl", "python", "python-client", "client")

_KO_KINDS = {
    "Pod": "파드", "Deployment": "디플로이먼트", "ReplicaSet": "레플리카세트", "StatefulSet": "스테이트풀세트",
    "DaemonSet": "데몬세트", "Job": "잡", "CronJob": "크론잡", "Service": "서비스",
    "EndpointSlice": "엔드포인트슬라이스", "Endpoints": "엔드포인트", "Node": "노드",
    "Namespace": "네임스페이스", "ConfigMap": "컨피그맵", "Secret": "시크릿", "Lease": "리스",
    "Event": "이벤트", "ServiceAccount": "서비스어카운트", "Ingress": "인그레스",
    "PersistentVolumeClaim": "퍼시스턴트볼륨클레임", "PersistentVolume": "퍼시스턴트볼륨",
    "Binding": "바인딩", "ControllerRevision": "컨트롤러리비전", "Role": "롤", "RoleBinding": "롤바인딩",
    "ClusterRole": "클러스터롤", "ClusterRoleBinding": "클러스터롤바인딩",
    "HorizontalPodAutoscaler": "HPA", "StorageClass": "스토리지클래스",
}

# verb -> (English infinitive, Korean noun)
_API_VERBS = {
    "POST": ("create", "생성"),
    "PUT": ("update", "수정"),
    "PATCH": ("patch", "패치"),
    "DELETE": ("delete", "삭제"),
    "GET": ("read", "조회"),
    "LIST": ("list", "목록 조회"),
    "WATCH": ("watch", "감시"),
    "DELETECOLLECTION": ("delete", "일괄 삭제"),
}

# CRI and CNI calls of the kubelet: verb -> (English phrase, Korean noun phrase)
_NODE_VERBS = {
    "RunPodSandbox": ("start the sandbox of pod {obj}", "{obj} 파드 샌드박스 실행"),
    "StopPodSandbox": ("stop the sandbox of pod {obj}", "{obj} 파드 샌드박스 중지"),
    "RemovePodSandbox": ("remove the sandbox of pod {obj}", "{obj} 파드 샌드박스 제거"),
    "PullImage": ("pull the image {obj}", "{obj} 이미지 내려받기"),
    "CreateContainer": ("create the container {obj}", "{obj} 컨테이너 생성"),
    "StartContainer": ("start the container {obj}", "{obj} 컨테이너 시작"),
    "StopContainer": ("stop the container {obj}", "{obj} 컨테이너 중지"),
    "RemoveContainer": ("remove the container {obj}", "{obj} 컨테이너 제거"),
    "ADD": ("give pod {obj} a network interface and an IP (CNI ADD)", "{obj} 파드의 네트워크와 IP 할당(CNI ADD)"),
    "DEL": ("take the network of pod {obj} away (CNI DEL)", "{obj} 파드의 네트워크 해제(CNI DEL)"),
}

_ETCD_DETAILS = {
    "create": ("writes the new {kind} {name} to etcd", "etcd에 새 {what} 저장합니다"),
    "update": ("writes the changed {kind} {name} to etcd", "etcd에 바뀐 {what} 저장합니다"),
    "delete": ("deletes the {kind} {name} from etcd", "etcd에서 {what} 삭제합니다"),
}


# -- Korean particles ----------------------------------------------------------
_DIGIT_HAS_FINAL = {"0": True, "1": True, "2": False, "3": True, "4": False, "5": False, "6": True,
                    "7": True, "8": True, "9": False}
# Latin endings read without a final consonant: kube-apiserver(서버), etcd(디), kube-proxy(시)...
_LATIN_OPEN = set("aeiouyrdswhfxz")


def _has_final_consonant(word: str) -> bool:
    """Whether ``word`` is read with a final consonant (batchim), which picks 이/가, 을/를."""
    word = re.sub(r"\([^)]*\)$", "", word.strip()) or word
    for ch in reversed(word):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isdigit():
            return _DIGIT_HAS_FINAL[ch]
        if ch.isalpha():
            return ch.lower() not in _LATIN_OPEN
    return False


def josa(word: str, pair: str) -> str:
    """``word`` with the right particle of ``pair`` ("이/가", "을/를", "은/는", "과/와")."""
    with_final, without = pair.split("/")
    return word + (with_final if _has_final_consonant(word) else without)


# -- names ---------------------------------------------------------------------
def kind_of(plural: str) -> str:
    """``deployments`` -> ``Deployment`` (core group first, as kubectl's RESTMapper prefers)."""
    base = plural.split("/")[0]
    found = [r for r in resources.REGISTRY if r.plural == base]
    if not found:
        return base
    found.sort(key=lambda r: (r.group != "", r.group))
    return found[0].kind


def kind_name(kind: str, lang: str = "en") -> str:
    return _KO_KINDS.get(kind, kind) if lang == "ko" else kind


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeio" else "a"


def component_name(name: str, lang: str = "en") -> str:
    """``kubelet(worker-1)`` -> "the kubelet on worker-1" / "worker-1의 kubelet"."""
    m = re.fullmatch(r"([\w.-]+)\(([^)]+)\)", name)
    if m:
        what, where = m.groups()
        return f"{where}의 {what}" if lang == "ko" else f"{what} on {where}"
    return name


def _object_key_from_etcd(key: str) -> tuple[str, str]:
    """``/registry/services/specs/default/web`` -> (``Service``, ``default/web``)."""
    parts = key.strip("/").split("/")[1:]
    for n in (2, 1):
        prefix = "/registry/" + "/".join(parts[:n])
        for r in resources.REGISTRY:
            if r.etcd_prefix() == prefix:
                return r.kind, "/".join(parts[n:])
    return (parts[0] if parts else "object"), "/".join(parts[1:])


# -- sentences -----------------------------------------------------------------
def caption(record, lang: str = "en") -> str:
    """One sentence saying what ``record`` (a TraceRecord) means."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    verb = record.verb
    if record.target == "etcd":
        return _etcd_caption(record, lang)
    if record.target == "kube-apiserver" and verb.upper() in _API_VERBS:
        return _api_caption(record, lang)
    if verb in _NODE_VERBS:
        return _node_caption(record, lang)
    return _generic_caption(record, lang)


def _suffix(obj: str) -> str:
    return f" ({obj})" if obj else ""


def _api_caption(record, lang: str) -> str:
    src, obj = component_name(record.source, lang), record.detail
    plural, _, sub = record.object.partition("/")
    kind = kind_of(plural)
    en_verb, ko_verb = _API_VERBS[record.verb.upper()]
    if sub == "binding":
        if lang == "ko":
            return f"{josa(src, '이/가')} kube-apiserver에 파드를 노드에 배정(바인딩)하도록 요청합니다{_suffix(obj)}"
        return f"{src} asks kube-apiserver to bind a Pod to a node{_suffix(obj)}"
    if sub:
        if lang == "ko":
            what = f"{kind_name(kind, lang)}의 {sub} {ko_verb}"
            return f"{josa(src, '이/가')} kube-apiserver에 {josa(what, '을/를')} 요청합니다{_suffix(obj)}"
        return f"{src} asks kube-apiserver to {en_verb} the {sub} of {_article(kind)} {kind}{_suffix(obj)}"
    if lang == "ko":
        what = f"{kind_name(kind, lang)} {ko_verb}"
        return f"{josa(src, '이/가')} kube-apiserver에 {josa(what, '을/를')} 요청합니다{_suffix(obj)}"
    noun = f"{kind}s" if record.verb.upper() in ("LIST", "WATCH", "DELETECOLLECTION") else f"{_article(kind)} {kind}"
    return f"{src} asks kube-apiserver to {en_verb} {noun}{_suffix(obj)}"


def _etcd_caption(record, lang: str) -> str:
    kind, name = _object_key_from_etcd(record.object)
    en, ko = _ETCD_DETAILS.get(record.detail, ("runs {verb} on {kind} {name} in etcd",
                                                "etcd에 {verb} 요청을 보냅니다 ({target})"))
    if lang == "ko":
        what = josa(f"{kind_name(kind, lang)} {name}".strip(), "을/를")
        target = f"{kind_name(kind, lang)} {name}".strip()
        return f"{josa(component_name(record.source, lang), '이/가')} " + ko.format(what=what, verb=record.verb,
                                                                                   target=target)
    return f"{record.source} " + en.format(kind=kind, name=name, verb=record.verb)


def _node_caption(record, lang: str) -> str:
    en, ko = _NODE_VERBS[record.verb]
    src, tgt = component_name(record.source, lang), record.target
    if lang == "ko":
        what = ko.format(obj=record.object)
        return f"{josa(src, '이/가')} {tgt}에 {josa(what, '을/를')} 요청합니다"
    return f"{src} asks {tgt} to " + en.format(obj=record.object)


def _generic_caption(record, lang: str) -> str:
    src, tgt = component_name(record.source, lang), component_name(record.target, lang)
    obj = " ".join(x for x in (record.object, f"({record.detail})" if record.detail else "") if x)
    if lang == "ko":
        return f"{josa(src, '이/가')} {tgt}에 {record.verb} 요청을 보냅니다" + (f": {obj}" if obj else "")
    return f"{src} sends {record.verb} to {tgt}" + (f": {obj}" if obj else "")


def title(view: str, lang: str = "en") -> str:
    """The heading of a diagram view."""
    titles = {
        "architecture": ("Cluster architecture", "클러스터 아키텍처"),
        "objects": ("Objects and their owners", "오브젝트와 소유 관계"),
        "namespaces": ("Objects by namespace", "네임스페이스별 오브젝트"),
    }
    en, ko = titles.get(view, (view, view))
    return ko if lang == "ko" else en


# Labels of the widget's controls.
CONTROLS = {
    "play": ("Play", "재생"),
    "pause": ("Pause", "일시정지"),
    "step": ("Step", "한 단계"),
    "speed": ("Speed", "속도"),
    "view": ("View", "보기"),
    "namespace": ("Namespace", "네임스페이스"),
    "all": ("(all)", "(전체)"),
    "replay": ("Replay last command", "마지막 명령 다시 보기"),
    "trace_step": ("Request", "요청"),
    "time": ("simulated time", "시뮬레이션 시간"),
    "no_trace": ("No requests to show yet.", "아직 보여줄 요청이 없습니다."),
}


def control(key: str, lang: str = "en") -> str:
    en, ko = CONTROLS[key]
    return ko if lang == "ko" else en
