"""The built wheel, installed without the repository around it, renders a study.

The wheel is built from the source tree, installed into a fresh virtual environment that
borrows only the third-party dependencies of the test environment, and run from a study folder
outside the repository: templates, styles, dictionaries and fonts must come from the package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the wheel of iaobs installed (its ``bin`` folder)."""
    work = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(REPO),
        ],
        cwd=work,
    )
    wheels = list((work / "dist").glob("iaobs-*.whl"))
    assert len(wheels) == 1
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=work,
        ).strip()
    )
    # third-party dependencies from the test environment, after the fresh site-packages
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--ignore-installed",  # the editable install of the test environment is on the path
            "--prefix",  # into the fresh environment, its `iaobs` command included
            str(env_dir),
            str(wheels[0]),
        ],
        cwd=work,
    )
    return env_dir / "bin"


def test_the_wheel_holds_its_templates_and_data(installed: Path, tmp_path: Path) -> None:
    code = (
        "import iaobs, pathlib\n"
        "from iaobs.core.resources import templates_dir, package_path\n"
        "root = pathlib.Path(iaobs.__file__).parent\n"
        "assert 'site-packages' in str(root), root\n"
        "assert (templates_dir() / 'secteur.py').is_file()\n"
        "assert package_path('study', 'dictionary', 'entreprises.yaml').is_file()\n"
        "assert package_path('render', 'assets', 'page.css').is_file()\n"
        "assert package_path('render', 'site', 'assets', 'explorer.js').is_file()\n"
        "assert package_path('render', 'site', 'assets', 'site.css').is_file()\n"
        "print(root)\n"
    )
    out = _run([str(installed / "python"), "-c", code], cwd=tmp_path)
    assert str(REPO) not in out


def test_the_wheel_alone_renders_a_study(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "IAOBS_NOTEBOOKS")}
    env["PATH"] = f"{installed}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    # the dependencies come from the test environment, and so do their data files (nbconvert's
    # templates under share/jupyter), which an installation with its dependencies would hold
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    study = tmp_path / "etude"
    iaobs = str(installed / "iaobs")
    _run([iaobs, "sample", "--output", str(study), "--companies", "300"], cwd=tmp_path, env=env)
    _run(
        [iaobs, "run", str(study), "--only", "banque", "--format", "html", "--quiet"],
        cwd=tmp_path,
        env=env,
    )
    html = study / "reports" / "2019" / "banque" / "report.html"
    assert html.is_file()
    assert "Banque" in html.read_text("utf-8")
