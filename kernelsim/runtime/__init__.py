"""The container runtime of each node (containerd behind the CRI) and its simulated images."""

from .cri import ContainerConfig, ContainerRuntime, FileStore, Mount
from .images import Image, ImageNotFound, lookup, parse_reference

__all__ = ["ContainerRuntime", "ContainerConfig", "FileStore", "Mount", "Image", "ImageNotFound", "lookup",
           "parse_reference"]
