"""The streaming side of kube-apiserver: ``pods/exec`` over WebSocket.

kubectl 1.37 runs ``kubectl exec`` over a WebSocket with the
``v5.channel.k8s.io`` subprotocol: every binary message starts with a channel
byte (1 stdout, 2 stderr, 3 the final Status).  The simulation answers
non-interactive commands: the command runs in the simulated container, its
output goes out on stdout, and the exit code comes back in the Status, so
``kubectl exec web -- cat /etc/hostname`` exits as the command did.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDOUT, STDERR, ERROR = 1, 2, 3


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def choose_protocol(offered: str) -> str | None:
    names = [p.strip() for p in (offered or "").split(",")]
    for p in PROTOCOLS:
        if p in names:
            return p
    return None


def frame(payload: bytes, opcode: int = 0x2) -> bytes:
    """One unmasked, final WebSocket frame (servers never mask)."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def exit_status(code: int, argv: list[str]) -> dict:
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command {argv}, "
                       f"exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}


def exec_messages(output: str, code: int, argv: list[str]) -> bytes:
    """The frames of a finished command: its output, its Status, then a close."""
    out = b""
    if output:
        out += frame(bytes([STDOUT]) + output.encode())
    out += frame(bytes([ERROR]) + json.dumps(exit_status(code, argv)).encode())
    out += frame(struct.pack("!H", 1000), opcode=0x8)
    return out
