"""The live diagrams of the cluster (the pictures of the Kubernetes "Components" page, drawn from state).

``snapshot`` reads the cluster through the API, ``dot`` turns a snapshot into
DOT text, ``render`` makes SVG, and ``ClusterDiagram`` is the ipywidgets view
on top.  ipywidgets is imported only when the widget is asked for.
"""

__all__ = ["ClusterDiagram"]


def __getattr__(name):
    if name == "ClusterDiagram":
        from .widget import ClusterDiagram

        return ClusterDiagram
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
