"""The %kubectl and %%kubectl IPython magics run the real kubectl on the current cluster."""

from IPython.testing import globalipapp


def test_line_and_cell_magics(cluster, capsys):
    # The first call in a process starts the shell; later ones return None (it is then globalipapp's).
    ip = globalipapp.start_ipython() or globalipapp.get_ipython()
    ip.run_line_magic("load_ext", "kernelsim")
    capsys.readouterr()  # "already loaded" when another test loaded it first
    ip.run_line_magic("kubectl", "get namespaces")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    ip.run_cell_magic("kubectl", "apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-cell\n")
    assert capsys.readouterr().out == "configmap/from-cell created\n"
    assert cluster.api.exists("configmaps", "from-cell")
    ip.run_line_magic("kubectl", "get configmap nope")
    captured = capsys.readouterr()
    assert captured.err == 'Error from server (NotFound): configmaps "nope" not found\n'


def test_closing_a_cluster_gives_the_magics_back_to_the_one_before():
    """A notebook that opens a second cluster (notebook 03's three masters) and closes it
    keeps using its first cluster with %kubectl."""
    import kernelsim
    from kernelsim.cluster import current

    first = kernelsim.Cluster(workers=0, addons=False, realtime=False)
    try:
        second = kernelsim.Cluster(workers=0, addons=False, realtime=False)
        third = kernelsim.Cluster(workers=0, addons=False, realtime=False)
        assert current() is third
        second.close()
        assert current() is third
        third.close()
        assert current() is first  # the closed second one is skipped
    finally:
        first.close()
    assert current() is not first
