"""``kubens``: switch the current namespace, as the kubectx project's tool does.

``kubens`` lists namespaces and marks the active one, ``kubens NAME``
switches to NAME, ``kubens -`` switches back, and ``kubens -c`` prints the
current namespace.  It only runs kubectl, so it works with any cluster.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .runner import kubectl_binary


def _kubectl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([kubectl_binary(), *args], capture_output=True, text=True, check=False)


def _current() -> str:
    p = _kubectl("config", "view", "--minify", "-o", "jsonpath={..namespace}")
    return p.stdout.strip() or "default"


def _state_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".kube")
    return base / "kubens" / "previous"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print("USAGE:\n  kubens                    : list the namespaces in the current context\n"
              "  kubens <NAME>             : change the active namespace of current context\n"
              "  kubens -                  : switch to the previous namespace in this context\n"
              "  kubens -c, --current      : show the current namespace\n"
              "  kubens -h,--help          : show this message")
        return 0
    if args in (["-c"], ["--current"]):
        print(_current())
        return 0
    if not args:
        p = _kubectl("get", "namespaces", "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}")
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            return 1
        cur = _current()
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for ns in p.stdout.split():
            if ns == cur and color:
                print(f"\033[33m\033[1m{ns}\033[0m")
            else:
                print(ns)
        return 0
    target = args[0]
    state = _state_file()
    if target == "-":
        if not state.exists():
            sys.stderr.write("error: No previous namespace found for current context.\n")
            return 1
        target = state.read_text().strip()
    p = _kubectl("get", "namespace", target, "-o", "name")
    if p.returncode != 0:
        sys.stderr.write(f'error: no namespace exists with name "{target}".\n')
        return 1
    prev = _current()
    p = _kubectl("config", "set-context", "--current", f"--namespace={target}")
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        return 1
    sys.stdout.write(p.stdout)
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(prev)
    print(f'Active namespace is "{target}".')
    return 0


if __name__ == "__main__":
    sys.exit(main())
