"""DOT -> SVG with Graphviz's dot, or the pip-installed graphviz-pure."""

import pytest

from kernelsim.widgets import render

DOT = 'digraph G { "pod/default/web" [id="pod/default/web" class="pod" label="web\\nRunning 1/1"]; ' \
      '"user/kubectl" -> "pod/default/web"; }'


def test_a_renderer_is_available_and_named(monkeypatch):
    monkeypatch.delenv("KERNELSIM_RENDERER", raising=False)
    assert render.available_renderers(), "neither dot nor graphviz-pure is installed"
    assert render.renderer_name() == render.available_renderers()[0]


def test_the_pip_renderer_is_installed():
    # graphviz-pure is one of kernelsim's dependencies: the diagram works without a system Graphviz.
    assert "graphviz-pure" in render.available_renderers()


def test_each_installed_renderer_draws_the_same_nodes():
    for renderer in render.available_renderers():
        svg = render.render_svg(DOT, renderer)
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg, renderer
        assert 'id="pod/default/web"' in svg and "Running 1/1" in svg, renderer


def test_environment_forces_a_renderer(monkeypatch):
    monkeypatch.setenv("KERNELSIM_RENDERER", "graphviz-pure")
    assert render.renderer_name() == "graphviz-pure"
    monkeypatch.setenv("KERNELSIM_RENDERER", "neato")
    with pytest.raises(ValueError):
        render.renderer_name()


def test_without_a_renderer_the_svg_says_so():
    svg = render.render_svg(DOT, "none")
    assert "pip install graphviz-pure" in svg and "pod/default/web" in svg
