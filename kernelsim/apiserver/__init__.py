"""kube-apiserver: the request path, storage over etcd, and the HTTP front end."""

from .server import APIServer, RequestContext
from .storage import Storage, WatchEvent

__all__ = ["APIServer", "RequestContext", "Storage", "WatchEvent"]
