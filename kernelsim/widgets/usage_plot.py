"""CPU and memory over time, drawn with matplotlib (what a Grafana panel over Prometheus shows).

``plot_usage(usage)`` takes a :class:`kernelsim.addons.monitoring.Usage` (a pod,
node or namespace) and returns a matplotlib ``Figure`` with two axes sharing the
time axis: CPU in millicores above, memory in MiB below.  A pod's containers get
one line each; its memory limit is a dashed line, and every OOM kill a red
vertical line labelled ``OOMKilled``.  Axis texts stay in English (the fonts
matplotlib ships have no Hangul); the course explains them in both languages.
"""

from __future__ import annotations

MiB = 1024 * 1024
GAP = 2.5  # a pause longer than this many sampling intervals is drawn as a gap (no running container)


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


def plot_usage(usage, *, title: str | None = None, width: float = 9.0, height: float = 5.5):
    """A Figure of ``usage``; a test can read ``fig.axes``, their lines and labels."""
    import matplotlib.pyplot as plt

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
                       label=f"limit {usage.memory_limit / MiB:g}Mi")
    for i, event in enumerate(usage.oom_kills):
        for ax in (ax_cpu, ax_mem):
            ax.axvline(event.time / 60.0, color="red", linewidth=1.2, alpha=0.8,
                       label="OOMKilled" if i == 0 else None)
    ax_cpu.set_ylabel("CPU (millicores)")
    ax_mem.set_ylabel("memory (MiB)")
    ax_mem.set_xlabel("simulated time (minutes)")
    ax_cpu.set_ylim(bottom=0)
    ax_mem.set_ylim(bottom=0)
    for ax in (ax_cpu, ax_mem):
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize="small")
    kills = f", {len(usage.oom_kills)} OOM kill{'s' if len(usage.oom_kills) != 1 else ''}" if usage.oom_kills else ""
    ax_cpu.set_title(title or f"{usage.kind} {usage.name}: CPU and memory{kills}")
    fig.tight_layout()
    return fig
