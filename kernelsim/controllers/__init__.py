"""kube-controller-manager and its controllers, one module each."""
