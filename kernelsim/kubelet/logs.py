"""Container logs as ``kubectl logs`` gets them (GET pods/<name>/log: the apiserver checks the
pod, then the kubelet reads the runtime's log file; pkg/registry/core/pod/strategy.go
LogLocation and pkg/kubelet/kuberuntime/logs).
"""

from __future__ import annotations

from ..api import errors


def _bad(message: str) -> errors.StatusError:
    return errors.bad_request(message)


def read_logs(kubelet, worker, container: str | None = None, previous: bool = False, tail_lines=None,
              timestamps: bool = False, since_seconds=None, limit_bytes=None) -> str:
    pod_name = worker.name
    names = [r.name for r in worker.records.values()]
    if not container:
        regular = [r.name for r in worker.regular_records()]
        if len(regular) == 1:
            container = regular[0]
        else:
            init = [r.name for r in worker.init_records()]
            msg = f"a container name must be specified for pod {pod_name}, choose one of: [{' '.join(regular)}]"
            if init:
                msg += f" or one of the init containers: [{' '.join(init)}]"
            raise _bad(msg)
    if container not in names:
        raise _bad(f"container {container} is not valid for pod {pod_name}")
    rec = worker.records[container]
    if previous:
        c = worker.container(rec, previous=True)
        current = worker.container(rec)
        # after a crash, "previous" is the instance before the one waiting to restart
        if current is not None and current.state == "CONTAINER_EXITED" and rec.waiting is not None:
            c = current
        if c is None:
            raise _bad(f'previous terminated container "{container}" in pod "{pod_name}" not found')
    else:
        c = worker.container(rec)
        if c is None:
            reason = (rec.waiting or ("ContainerCreating" if rec.kind != "regular" or _init_done(worker)
                                      else "PodInitializing", ""))[0]
            if reason in ("ErrImagePull", "ImagePullBackOff"):
                raise _bad(f'container "{container}" in pod "{pod_name}" is waiting to start: '
                           f'trying and failing to pull image')
            raise _bad(f'container "{container}" in pod "{pod_name}" is waiting to start: {reason}')
    lines = kubelet.runtime.read_logs(c.id)
    if since_seconds is not None:
        lines = [ln for ln in lines if ln[0] >= kubelet.loop.now - float(since_seconds)]
    if tail_lines is not None and int(tail_lines) >= 0:
        lines = lines[-int(tail_lines):] if int(tail_lines) else []
    out = []
    for t, _stream, text in lines:
        out.append(f"{kubelet.nano_time(t)} {text}" if timestamps else text)
    text = "".join(line + "\n" for line in out)
    if limit_bytes is not None:
        text = text.encode()[:int(limit_bytes)].decode("utf-8", "ignore")
    return text


def _init_done(worker) -> bool:
    from .status import init_done

    return init_done(worker)
