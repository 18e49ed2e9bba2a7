"""Figures drawn once: the PNG of a chart is kept and reused while the chart is the same.

Drawing a chart (matplotlib's constrained layout, then the PNG) is a third of the time of a
sector report. A report is rendered again when anything it reads changes — its template, the
library, one indicator — yet most of its charts are then exactly what they were. In a report
process, :func:`install` wraps ``Figure.savefig``: a PNG saved to a file object is looked up
under ``.iaobs-cache/figures/`` by a key made of

* the figure itself, pickled (every artist, its data, texts, colours and positions), with the
  transforms' links to their parents left out (they hold memory addresses);
* the matplotlib version, every ``rcParams`` value, the ``savefig`` arguments, and a salt (the
  iaobs library's digest: new code, new keys).

A figure that cannot be pickled (a lambda as tick formatter…) is simply drawn. The cache only
holds what any drawing would give; deleting it costs only time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

from iaobs.core.atomic import write_bytes

__all__ = ["figure_key", "install", "stats", "uninstall"]

_STATS = {"hits": 0, "misses": 0, "uncached": 0}


def stats() -> dict[str, int]:
    """Hits, misses and figures that could not be keyed, in this process."""
    return dict(_STATS)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from matplotlib.transforms import TransformNode

        if isinstance(obj, TransformNode):
            state = obj.__getstate__()
            state.pop("_parents", None)  # {id(parent): parent}: addresses, not content
            return (object.__new__, (type(obj),), state)
        return NotImplemented


def figure_key(fig: Any, options: dict[str, Any], salt: str = "") -> str:
    """The content key of drawing ``fig`` with ``savefig`` ``options``."""
    import matplotlib

    digest = hashlib.sha256()
    digest.update(f"{salt}\0{matplotlib.__version__}\0".encode())
    digest.update(repr(sorted((k, repr(v)) for k, v in matplotlib.rcParams.items())).encode())
    digest.update(repr(sorted((k, repr(v)) for k, v in options.items())).encode())
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=5).dump(fig)
    digest.update(buffer.getvalue())
    return digest.hexdigest()


def install(folder: str | Path, salt: str = "") -> None:
    """Serve this process's PNG ``savefig`` calls from ``folder`` (see module doc)."""
    from matplotlib.figure import Figure

    if getattr(Figure.savefig, "_iaobs_cached", False):
        return
    original = Figure.savefig
    folder = Path(folder)

    def savefig(self: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
        cacheable = (
            not args
            and str(kwargs.get("format", "")).lower() == "png"
            and hasattr(fname, "write")
            and not isinstance(fname, str | Path)
        )
        if not cacheable:
            return original(self, fname, *args, **kwargs)
        try:
            key = figure_key(self, kwargs, salt)
        except Exception:
            _STATS["uncached"] += 1
            return original(self, fname, *args, **kwargs)
        path = folder / key[:2] / f"{key}.png"
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            fname.write(data)
            _STATS["hits"] += 1
            return None
        buffer = io.BytesIO()
        result = original(self, buffer, *args, **kwargs)
        data = buffer.getvalue()
        fname.write(data)
        _STATS["misses"] += 1
        with contextlib.suppress(Exception):
            write_bytes(path, data)
        return result

    savefig._iaobs_cached = True  # type: ignore[attr-defined]
    savefig._iaobs_original = original  # type: ignore[attr-defined]
    savefig.__doc__ = original.__doc__
    Figure.savefig = savefig  # type: ignore[method-assign]


def uninstall() -> None:
    """Undo :func:`install` in this process."""
    from matplotlib.figure import Figure

    original = getattr(Figure.savefig, "_iaobs_original", None)
    if original is not None:
        Figure.savefig = original  # type: ignore[method-assign]
