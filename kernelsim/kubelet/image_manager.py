"""The kubelet's image manager (pkg/kubelet/images): pull policy, serialized pulls, back-off.

``EnsureImageExists`` decides from the pull policy whether to pull, records the
``Pulling``/``Pulled``/``Failed``/``BackOff`` events with the kubelet's own words, and
pulls one image at a time (serializeImagePulls: true, the default).  A failed pull puts
the image in back-off for this pod: 10s, 20s, ... up to 300s.
"""

from __future__ import annotations

from collections import deque

from .backoff import Backoff


def go_duration(seconds: float) -> str:
    """time.Duration.String() of a duration truncated to milliseconds: 512ms, 2.103s, 1m5.2s."""
    ms = int(seconds * 1000 + 1e-6)
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    minutes, ms = divmod(ms, 60_000)
    secs = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


class ImagePullError(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName
        self.message = message


class ImageManager:
    def __init__(self, kubelet):
        self.kubelet = kubelet
        self.runtime = kubelet.runtime
        self.backoff = Backoff()
        self._queue: deque = deque()
        self._busy = False
        self.last_errors: dict[str, str] = {}

    def ensure_image(self, pod: dict, container: dict, field_path: str, done) -> bool:
        """Make the image present; ``done(image, error)`` is called (maybe at once).

        Returns True when the image was ready at once (``done`` already called).
        """
        k = self.kubelet
        image_ref = container.get("image") or ""
        policy = container.get("imagePullPolicy") or "IfNotPresent"
        present = self.runtime.image_status(image_ref)
        rec = k.recorder
        if policy == "Never" or (policy == "IfNotPresent" and present is not None):
            if present is not None:
                rec.event(pod, "Normal", "Pulled",
                          f'Container image "{image_ref}" already present on machine and can be accessed by the pod',
                          field_path)
                done(present, None)
                return True
            msg = f'Container image "{image_ref}" is not present with pull policy of Never'
            rec.event(pod, "Warning", "ErrImageNeverPull", msg, field_path)
            done(None, ImagePullError("ErrImageNeverPull", msg))
            return True
        key = f"{pod['metadata'].get('uid')}_{image_ref}"
        if self.backoff.in_backoff_since_update(key, k.loop.now):
            rec.event(pod, "Normal", "BackOff", f'Back-off pulling image "{image_ref}"', field_path)
            last = self.last_errors.get(key, "")
            msg = f'Back-off pulling image "{image_ref}"' + (f": ErrImagePull: {last}" if last else "")
            done(None, ImagePullError("ImagePullBackOff", msg))
            return True
        rec.event(pod, "Normal", "Pulling", f'Pulling image "{image_ref}"', field_path)
        self._queue.append((pod, image_ref, field_path, key, done, k.loop.now))
        self._next()
        return False

    def _next(self) -> None:
        if self._busy or not self._queue:
            return
        pod, image_ref, field_path, key, done, asked_at = self._queue.popleft()
        self._busy = True
        k = self.kubelet
        if k.tracer is not None:
            k.tracer.record(k.source, "runtime", "PullImage", image_ref,
                            f"{pod['metadata'].get('namespace')}/{pod['metadata'].get('name')}")

        def pulled(image, error, seconds):
            self._busy = False
            waited = k.loop.now - asked_at
            if image is None:
                k.recorder.event(pod, "Warning", "Failed", f'Failed to pull image "{image_ref}": {error}', field_path)
                self.backoff.next(key, k.loop.now)
                self.last_errors[key] = error
                done(None, ImagePullError("ErrImagePull", error))
            else:
                k.recorder.event(pod, "Normal", "Pulled",
                                 f'Successfully pulled image "{image_ref}" in {go_duration(seconds)} '
                                 f'({go_duration(waited)} including waiting). Image size: {image.size} bytes.',
                                 field_path)
                self.last_errors.pop(key, None)
                done(image, None)
            self._next()
        self.runtime.pull_image(image_ref, pulled)
