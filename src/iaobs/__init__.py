"""iaobs — the toolkit of a regional observatory of artificial intelligence and skills.

Data flows one way: read → clean → validate → protect → weight → estimate → report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iaobs")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
