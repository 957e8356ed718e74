"""CPU and memory over time, drawn with matplotlib (what a Grafana panel over Prometheus shows).

``plot_usage(usage)`` takes a :class:`kernelsim.addons.monitoring.Usage` (a pod,
node or namespace) and returns a matplotlib ``Figure`` with two axes sharing the
time axis: CPU in millicores above, memory in MiB below.  A pod's containers get
one line each; its memory limit is a dashed line, and every OOM kill a red
vertical line labelled ``OOMKilled``.  The texts follow the learner's language;
Korean needs a font with Hangul (Debian's ``fonts-nanum``, which ``make`` and
Binder install), since the fonts matplotlib ships have none: without one, the
texts stay in English rather than turn into empty boxes.
"""

from __future__ import annotations

import functools
import os

MiB = 1024 * 1024
GAP = 2.5  # a pause longer than this many sampling intervals is drawn as a gap (no running container)
HANGUL_FONTS = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "UnDotum")
TEXTS = {
    "en": {"cpu": "CPU (millicores)", "memory": "memory (MiB)", "time": "simulated time (minutes)",
           "limit": "limit {limit}Mi", "title": "{kind} {name}: CPU and memory{kills}",
           "kills": ", {n} OOM kill{s}", "kind": {"pod": "pod", "node": "node", "namespace": "namespace"}},
    "ko": {"cpu": "CPU (밀리코어)", "memory": "메모리 (MiB)", "time": "시뮬레이션 시간 (분)",
           "limit": "한도 {limit}Mi", "title": "{kind} {name}: CPU와 메모리{kills}",
           "kills": ", OOM 종료 {n}번", "kind": {"pod": "파드", "node": "노드", "namespace": "네임스페이스"}},
}


@functools.lru_cache(maxsize=1)
def hangul_font() -> str | None:
    """The name of an installed font that has Hangul, or None.  matplotlib's font cache may predate
    the font's installation, so the system's font folders are looked at once more before giving up."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in HANGUL_FONTS if name in names), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if any(word in os.path.basename(path) for word in ("Nanum", "NotoSansCJK", "NotoSansKR", "UnDotum")):
                font_manager.fontManager.addfont(path)
    return known()


def _with_gaps(times: list, values: list) -> tuple[list, list]:
    """Minutes and values, with a NaN where samples stop for a while (the line breaks there)."""
    if len(times) < 3:
        return [t / 60.0 for t in times], list(values)
    steps = sorted(b - a for a, b in zip(times, times[1:]))
    limit = GAP * steps[len(steps) // 2]
    xs, ys = [times[0] / 60.0], [values[0]]
    for (t0, _), (t1, v1) in zip(zip(times, values), zip(times[1:], values[1:])):
        if t1 - t0 > limit:
            xs.append((t0 + t1) / 120.0)
            ys.append(float("nan"))
        xs.append(t1 / 60.0)
        ys.append(v1)
    return xs, ys


def plot_usage(usage, *, title: str | None = None, width: float = 9.0, height: float = 5.5,
               lang: str | None = None):
    """A Figure of ``usage``; a test can read ``fig.axes``, their lines and labels.  ``lang``
    (``en`` or ``ko``) defaults to the learner's language (``kernelsim.course.quiz.language``)."""
    import matplotlib.pyplot as plt

    from ..course.quiz import language

    lang = lang or language()
    font = hangul_font() if lang == "ko" else None
    if font is None:
        lang = "en"
    t = TEXTS[lang]
    fig, (ax_cpu, ax_mem) = plt.subplots(2, 1, sharex=True, figsize=(width, height))
    plt.close(fig)  # returned, not shown twice: the notebook displays the returned Figure
    series = usage.containers if usage.kind == "pod" and len(usage.containers) > 1 else {}
    if series:
        for name, s in series.items():
            ax_cpu.plot(*_with_gaps(s.times, s.cpu), label=name)
            ax_mem.plot(*_with_gaps(s.times, [m / MiB for m in s.memory]), label=name)
    else:
        label = usage.name
        ax_cpu.plot(*_with_gaps(usage.times, usage.cpu), label=label, color="tab:blue")
        ax_mem.plot(*_with_gaps(usage.times, [m / MiB for m in usage.memory]), label=label, color="tab:green")
    if usage.memory_limit:
        ax_mem.axhline(usage.memory_limit / MiB, color="tab:red", linestyle="--", linewidth=1,
                       label=t["limit"].format(limit=f"{usage.memory_limit / MiB:g}"))
    for i, event in enumerate(usage.oom_kills):
        for ax in (ax_cpu, ax_mem):
            ax.axvline(event.time / 60.0, color="red", linewidth=1.2, alpha=0.8,
                       label="OOMKilled" if i == 0 else None)
    ax_cpu.set_ylabel(t["cpu"])
    ax_mem.set_ylabel(t["memory"])
    ax_mem.set_xlabel(t["time"])
    ax_cpu.set_ylim(bottom=0)
    ax_mem.set_ylim(bottom=0)
    for ax in (ax_cpu, ax_mem):
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize="small")
    n = len(usage.oom_kills)
    kills = t["kills"].format(n=n, s="s" if n != 1 else "") if n else ""
    ax_cpu.set_title(title or t["title"].format(kind=t["kind"].get(usage.kind, usage.kind), name=usage.name,
                                                  kills=kills))
    if font is not None:
        for text in fig.findobj(lambda a: hasattr(a, "set_fontfamily")):
            text.set_fontfamily([font, "DejaVu Sans"])
    fig.tight_layout()
    return fig
