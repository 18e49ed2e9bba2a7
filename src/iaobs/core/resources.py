"""Files shipped inside the package (report templates, styles, dictionaries, reference data).

Every such file is found through :mod:`importlib.resources`, so that an installed wheel works
without the source tree around it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["package_path", "templates_dir"]


def package_path(*parts: str) -> Path:
    """The path of a file or folder shipped in the ``iaobs`` package.

    Parameters
    ----------
    *parts
        Path components below the package root, e.g. ``("notebooks", "secteur.py")``.
    """
    resource = files("iaobs").joinpath(*parts)
    # iaobs is always installed as files on disk (wheel or editable), never zipped.
    return Path(str(resource))


def templates_dir() -> Path:
    """The folder of the report templates shipped with the package (jupytext ``.py`` files)."""
    return package_path("notebooks")
