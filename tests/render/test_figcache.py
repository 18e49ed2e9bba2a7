"""Charts drawn once: the same chart is served from the cache, a changed one drawn again."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from iaobs.render import figcache


def _chart(values: list[float], formatter: bool = False) -> bytes:
    fig, ax = plt.subplots(figsize=(4, 2), layout="constrained")
    ax.barh(["a", "b", "c"], values)
    ax.errorbar(values, [0, 1, 2], xerr=0.1, fmt="D")
    ax.set_title("Part des entreprises (en %)")
    if formatter:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g} %"))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    plt.close(fig)
    return buffer.getvalue()


def test_same_chart_served_from_the_cache(tmp_path: Path) -> None:
    figcache.install(tmp_path, salt="test")
    try:
        before = figcache.stats()
        first = _chart([1, 2, 3])
        second = _chart([1, 2, 3])
        changed = _chart([1, 2, 4])
        unkeyed = _chart([1, 2, 3], formatter=True)
        after = figcache.stats()
    finally:
        figcache.uninstall()
    assert first == second and first != changed and first.startswith(b"\x89PNG")
    assert after["misses"] - before["misses"] == 2 and after["hits"] - before["hits"] == 1
    assert after["uncached"] - before["uncached"] == 1 and unkeyed.startswith(b"\x89PNG")
    assert len(list(tmp_path.rglob("*.png"))) == 2


def test_key_does_not_depend_on_the_process() -> None:
    code = (
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt;"
        "from iaobs.render.figcache import figure_key;"
        "fig, ax = plt.subplots(layout='constrained'); ax.plot([1, 2], [3, 4]);"
        "ax.set_title('é'); print(figure_key(fig, {'format': 'png'}))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "MPLBACKEND": "Agg", "PATH": ""},
        ).stdout.strip()
        for seed in ("0", "1")
    }
    assert len(keys) == 1 and len(next(iter(keys))) == 64
