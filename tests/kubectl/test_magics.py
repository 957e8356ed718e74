"""The %kubectl and %%kubectl IPython magics run the real kubectl on the current cluster."""

from IPython.testing.globalipapp import start_ipython


def test_line_and_cell_magics(cluster, capsys):
    ip = start_ipython()
    ip.run_line_magic("load_ext", "kernelsim")
    ip.run_line_magic("kubectl", "get namespaces")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    ip.run_cell_magic("kubectl", "apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-cell\n")
    assert capsys.readouterr().out == "configmap/from-cell created\n"
    assert cluster.api.exists("configmaps", "from-cell")
    ip.run_line_magic("kubectl", "get configmap nope")
    captured = capsys.readouterr()
    assert captured.err == 'Error from server (NotFound): configmaps "nope" not found\n'
