"""IPython magics: ``%kubectl`` and ``%%kubectl`` run the real kubectl on the current cluster.

``%kubectl get pods -A`` prints what kubectl prints.  In ``%%kubectl apply -f -``
the cell body is kubectl's standard input, so a YAML template can be applied
straight from a cell.
"""

from __future__ import annotations

import sys


def _cluster():
    from .. import cluster as _c

    c = _c.current()
    if c is None:
        c = _c.Cluster()
        print("kernelsim: no cluster yet, so a default one was started (cluster = kernelsim.current()).")
    return c


def _show(result) -> None:
    if result.stdout:
        sys.stdout.write(result.stdout)
    if result.stderr:
        sys.stderr.write(result.stderr)


def kubectl_magic(line: str, cell: str | None = None):
    c = _cluster()
    _show(c.kubectl(line, input=cell))


def register(ipython) -> None:
    ipython.register_magic_function(lambda line: kubectl_magic(line), "line", "kubectl")
    ipython.register_magic_function(lambda line, cell: kubectl_magic(line, cell), "cell", "kubectl")
