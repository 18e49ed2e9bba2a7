"""Nothing published that should not be: escaping, formula injection, paths, parameters, privacy.

Fast tests use tiny studies; the end-to-end tests (marked ``slow``) run the real command line:

* a *hostile* study — the sample study with HTML, template, Python and spreadsheet-formula
  payloads in every text a person can type (see :func:`hostile.make_hostile_study`) — whose
  reports are opened in headless Chromium (system browser, nothing downloaded): no dialog, no
  script, no request leaving the page, no console error; nothing executed by a label;
* a full ``iaobs run`` of the repository's sample study, every output scanned for the
  confidential values the sample generator planted (SIREN, company names, e-mail addresses,
  person names) and for phone numbers.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hostile  # noqa: E402
from hostile import COMMENT_MARK, NAME_MARK, PAYLOADS  # noqa: E402
from iaobs.cli import main  # noqa: E402
from iaobs.errors import ConfigError  # noqa: E402
from iaobs.render.matrix import check_parameters, sector_slug, validate_slug  # noqa: E402

REPO = HERE.parent
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")
EPOCH = "1560000000"


def _cli(*args: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONWARNINGS": "ignore"}
    env.pop("IAOBS_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "iaobs.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


def _formula_like(value: str) -> bool:
    return value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value.strip())


def _csv_cells(path: Path) -> list[str]:
    text = path.read_text("utf-8-sig")
    dialect = ";" if text.count(";") > text.count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=dialect) for cell in row]


# --------------------------------------------------------------------------------------------
# Fast: processed CSV files, slugs, identifiers, parameters


def _tiny_study(root: Path, rows: list[list[object]]) -> Path:
    raw = root / "data" / "raw"
    hostile.write_good_file(raw)
    hostile.write_xlsx(raw / "saisie.xlsx", hostile.HEADER, rows)
    hostile.write_study(root, hostile.BadInput("saisie.xlsx", 'sector = "banque"\n'))
    return root


def test_processed_csv_files_neutralise_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = hostile.good_rows("Q", n=4, start=20_000_000)
    col = hostile.HEADER.index
    rows[0][col("ia_stade")] = '=HYPERLINK("http://example.invalid","x")'
    rows[1][col("ia_stade")] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[2][col("departement")] = "+33 1 23 45 67 89"
    rows[3][col("secteur")] = "\t=1+1"  # blocking: the row is rejected with its raw cells
    rows[3][col("naf_code")] = "-2+3"
    _tiny_study(tmp_path, rows)
    assert main(["clean", str(tmp_path)]) == 0
    processed = tmp_path / "data" / "processed"
    cells = _csv_cells(processed / "findings.csv") + _csv_cells(processed / "rejects.csv")
    assert any("HYPERLINK" in c for c in cells) and any("cmd|" in c for c in cells)
    offending = [c for c in cells if _formula_like(c)]
    assert not offending, offending
    findings = pd.read_csv(processed / "findings.csv")
    assert '\'=HYPERLINK("http://example.invalid","x")' in set(findings["value"])


@pytest.mark.parametrize(
    "slug",
    [
        "..",
        "../reports",
        "/etc",
        "a/b",
        "a\\b",
        "C:",
        "con",
        "nul",
        "lpt1",
        "index",
        "",
        "Banque",
        "é",
        "a--b",
        "-a",
        "a" * 65,
        "banque\x00",
        " banque",
    ],
)
def test_report_folder_names_cannot_escape(slug: str) -> None:
    with pytest.raises(ConfigError):
        validate_slug(slug)


@pytest.mark.parametrize("code", ["../x", "/abs", "a/b", "con", "index", "A"])
def test_sector_codes_cannot_make_unsafe_folders(code: str) -> None:
    with pytest.raises(ConfigError):
        sector_slug(code)


def test_study_toml_refuses_unsafe_folder_names(tmp_path: Path) -> None:
    from iaobs.study.config import load_study

    for toml in (
        '[study]\ntitle = "T"\nregion = "R"\nwave = "../up"\n',
        '[study]\ntitle = "T"\nregion = "R"\nwave = "/tmp/x"\n',
        '[study]\ntitle = "T"\nregion = "R"\nwave = "2019/../../x"\n',
        '[study]\ntitle = "T"\nregion = "R"\nwave = "2019"\n[sectors."../x"]\nlabel = "x"\n',
        '[study]\ntitle = "T"\nregion = "R"\nwave = "2019"\n[sectors.CON]\nlabel = "x"\n',
    ):
        (tmp_path / "study.toml").write_text(toml, encoding="utf-8")
        with pytest.raises(ConfigError):
            load_study(tmp_path)


def test_respondent_ids_from_input_become_safe_pseudonyms(tmp_path: Path) -> None:
    rows = hostile.good_rows("I", n=4, start=21_000_000)
    col = hostile.HEADER.index
    for i, value in enumerate(["../../../etc/passwd", "/root/.ssh/id_rsa", "CON", PAYLOADS[0]]):
        rows[i][col("id_repondant")] = value
        rows[i][col("siren")] = None  # no SIREN: the id is made from the source id
    _tiny_study(tmp_path, rows)
    assert main(["clean", str(tmp_path)]) == 0
    responses = pd.read_parquet(tmp_path / "data" / "processed" / "responses.parquet")
    assert responses["id_repondant"].str.fullmatch(r"E[0-9a-f]{10}").all()


def test_report_parameters_must_be_plain_typed_values(tmp_path: Path) -> None:
    declared = {"sector": {"inferred_type_name": "str"}, "study_dir": {"inferred_type_name": "str"}}
    template = tmp_path / "secteur.py"
    check_parameters("banque", {"sector": PAYLOADS[5]}, declared, template)  # a plain string
    for values in ({"sector": object()}, {"sector": 3}, {"sector": ["x"]}, {"other": "x"}):
        with pytest.raises(ConfigError):
            check_parameters("banque", values, declared, template)


def test_papermill_injects_a_crafted_label_as_an_inert_string() -> None:
    """What papermill writes for a crafted string is a literal that Python parses as one."""
    from papermill.translators import PythonTranslator

    for payload in PAYLOADS:
        source = PythonTranslator.codify({"sector": payload})
        tree = ast.parse(source)
        assigns = [node for node in tree.body if isinstance(node, ast.Assign)]
        assert len(assigns) == 1 and isinstance(assigns[0].value, ast.Constant)
        assert assigns[0].value.value == payload


# --------------------------------------------------------------------------------------------
# Slow: the hostile study, rendered and opened in a browser


REPORTS = ("banque", "logiciel", "synthese-regionale", "qualite-donnees")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile.make_hostile_study(REPO, tmp_path_factory.mktemp("hostile") / "etude")
    proc = _cli("run", str(root), "--format", "html,xlsx", "--only", *REPORTS, "--quiet", cwd=root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return root


def _pages(root: Path) -> list[Path]:
    reports = root / "reports" / "2019"
    return [reports / "index.html", *(reports / slug / "report.html" for slug in REPORTS)]


class _Audit(HTMLParser):
    """Collects what could run or load something in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base", "form"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                value.startswith(("javascript:", "http:", "https:", "//"))
            ):
                self.problems.append(f"<{tag} {name}={value[:40]}>")
            if tag == "link" and name == "href" and not value.startswith(("data:", "#")):
                self.problems.append(f"<link href={value[:40]}>")


@pytest.mark.slow
def test_hostile_strings_are_escaped_in_every_page(hostile_run: Path) -> None:
    for page in _pages(hostile_run):
        text = page.read_text("utf-8")
        audit = _Audit()
        audit.feed(text)
        assert not audit.problems, (page, audit.problems[:10])
        assert "<img src=x" not in text and "</style><script>" not in text
    synthese = (hostile_run / "reports" / "2019" / "synthese-regionale" / "report.html").read_text()
    assert "{{ 7*7 }}" in synthese or "{{ 7*7 }}".replace(" ", "") in synthese.replace(" ", "")


@pytest.mark.slow
def test_free_text_and_company_names_never_reach_a_report(hostile_run: Path) -> None:
    files = [p for p in (hostile_run / "reports").rglob("*") if p.is_file()]
    assert len(files) >= 10, "the hostile study should have rendered its reports"
    for path in files:
        blob = _text_of(path)
        assert COMMENT_MARK not in blob, path
        assert NAME_MARK not in blob, path


@pytest.mark.slow
def test_a_crafted_sector_label_executes_nothing(hostile_run: Path) -> None:
    assert not list(hostile_run.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()
    notebook = json.loads(
        (hostile_run / ".iaobs-cache" / "build" / "2019" / "banque" / "report.ipynb").read_text(
            "utf-8"
        )
    )
    injected = [
        c
        for c in notebook["cells"]
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert len(injected) == 1
    tree = ast.parse("".join(injected[0]["source"]))
    for node in tree.body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
        assert isinstance(node.value.value, str)
    assert "PWNED" not in "".join(injected[0]["source"])  # labels are not parameters


@pytest.mark.slow
def test_exports_neutralise_formula_injection(hostile_run: Path) -> None:
    from openpyxl import load_workbook

    reports = hostile_run / "reports" / "2019"
    seen_payload = False
    for path in reports.rglob("tables.xlsx"):
        book = load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path, cell.coordinate, cell.value)
                    assert cell.hyperlink is None or not str(cell.hyperlink.target).startswith(
                        ("http", "javascript")
                    ), (path, cell.coordinate)
                    value = cell.value
                    if isinstance(value, str) and _formula_like(value):
                        seen_payload |= "HYPERLINK" in value or "cmd|" in value
                        assert cell.quotePrefix or value.startswith("'"), (
                            path,
                            sheet.title,
                            cell.coordinate,
                            value,
                        )
    assert seen_payload, "the formula payloads should reach the Excel tables as text"
    processed = hostile_run / "data" / "processed"
    csv_files = [*reports.rglob("*.csv"), processed / "rejects.csv", processed / "findings.csv"]
    assert len(csv_files) >= 3
    for path in csv_files:
        offending = [c for c in _csv_cells(path) if _formula_like(c)]
        assert not offending, (path, offending[:5])


def _browser():  # type: ignore[no-untyped-def]
    from browser import ARGS, CHROMIUM, sync_playwright_or_skip

    return sync_playwright_or_skip(), CHROMIUM, ARGS


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_reports_in_headless_chromium(hostile_run: Path) -> None:
    sync_playwright, chromium, args = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            for path in _pages(hostile_run):
                page = browser.new_page()
                dialogs: list[str] = []
                errors: list[str] = []
                requests: list[str] = []
                page.on(
                    "dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss())
                )
                page.on(
                    "console",
                    lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("request", lambda r, requests=requests: requests.append(r.url))
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_timeout(300)
                title = page.title()
                scripts = page.locator("script").count()
                handlers = page.evaluate(
                    "Array.from(document.querySelectorAll('*')).flatMap(e => "
                    "Array.from(e.attributes).filter(a => a.name.startsWith('on'))"
                    ".map(a => e.tagName + ' ' + a.name))"
                )
                shown = page.inner_text("body")
                page.close()
                assert not dialogs, (path, dialogs)
                assert not errors, (path, errors)
                foreign = [u for u in requests if not u.startswith(("file://", "data:"))]
                assert not foreign, (path, foreign)
                assert scripts == 0 and not handlers, (path, scripts, handlers)
                assert title != "xss"
                if path.parent.name == "banque":
                    assert "</style><script>alert(4)</script>" in shown  # shown as text
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------
# Slow: the privacy scan of a full run of the sample study


def _text_of(path: Path) -> str:
    """The text a person or a program could read in an output file."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        proc = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode == 0:
            return proc.stdout
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return "\n".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        return frame.astype(str).to_csv(index=False) + " ".join(map(str, frame.columns))
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


PHONE = re.compile(r"(?<![\w.,])(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\w|[,.]\d)")
NINE_DIGITS = re.compile(
    r"(?<![\w.,])(\d{3})[\s\u00a0\u202f.]?(\d{3})[\s\u00a0\u202f.]?(\d{3})(?!\w|[,.]\d)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WORD = re.compile(r"\w+")


class ConfidentialScan:
    """Finds planted confidential values in a text, fast enough for thousands of values.

    SIREN: every run of nine digits (also written ``552 100 554``) is looked up in the set;
    e-mail addresses: every address-like string; names: a name is searched for only when all
    its words occur in the text.
    """

    def __init__(self, planted: dict[str, list[str]]) -> None:
        self.sirens = {str(s) for s in planted["siren"]}
        self.emails = {str(e).casefold() for e in planted["email_contact"]}
        self.names = [
            (" ".join(str(n).split()).casefold(), set(WORD.findall(str(n).casefold())))
            for key in ("raison_sociale", "nom_prenom")
            for n in planted[key]
        ]

    def hits(self, text: str) -> list[str]:
        found = [
            "SIREN " + "".join(m.groups())
            for m in NINE_DIGITS.finditer(text)
            if "".join(m.groups()) in self.sirens
        ]
        found += [
            "courriel " + m.group(0)
            for m in EMAIL.finditer(text)
            if m.group(0).casefold() in self.emails
        ]
        flat = " ".join(text.split()).casefold()
        words = set(WORD.findall(flat))
        found += ["nom " + name for name, parts in self.names if parts <= words and name in flat]
        found += ["téléphone " + m for m in PHONE.findall(text)]
        return found


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile.copy_sample_study(REPO, tmp_path_factory.mktemp("sample") / "etude")
    proc = _cli("run", str(root), "--quiet", cwd=root, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


@pytest.mark.slow
def test_no_confidential_value_in_any_output(sample_run: Path) -> None:
    truth = json.loads((sample_run / "data" / "raw" / "sample_truth.json").read_text("utf-8"))
    planted = truth["planted_confidential"]
    assert {"siren", "raison_sociale", "email_contact", "nom_prenom"} <= set(planted)
    assert all(planted[k] for k in planted)
    scan = ConfidentialScan(planted)
    raw_phones = _phones_in_raw(sample_run)
    outputs = [
        p
        for folder in ("data/processed", "reports", ".iaobs-cache")
        for p in (sample_run / folder).rglob("*")
        if p.is_file()
    ]
    kinds = {p.suffix for p in outputs}
    assert {".html", ".pdf", ".xlsx", ".csv", ".parquet", ".ipynb", ".json"} <= kinds, kinds
    hits: list[str] = []
    for path in outputs:
        blob = _text_of(path)
        where = path.relative_to(sample_run).as_posix()
        hits += [f"{where}: {hit}" for hit in scan.hits(blob)]
        hits += [f"{where}: téléphone {p}" for p in raw_phones if p in blob]
    assert not hits, hits[:20]


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scanner itself: planted values are found in every spelling a report could use."""
    planted = {
        "siren": ["552100554"],
        "raison_sociale": ["Banque régionale de Calais SAS"],
        "email_contact": ["jean.dupont@banque.example.com"],
        "nom_prenom": ["Julien HADDAD"],
    }
    scan = ConfidentialScan(planted)
    for text in (
        "SIREN 552 100 554",
        "552100554;x",
        "BANQUE  régionale de\nCalais SAS",
        "écrire à Jean.Dupont@banque.example.com",
        "julien haddad",
        "tél. 03 20 12 34 56",
    ):
        assert scan.hits(text), text
    for text in (
        "0,2876552100554737",
        "5521005540",
        "Banque régionale de Lens",
        "+ 0.03201234",
        "7af0bcf0531110648",
        "552100554.5",
    ):
        assert not scan.hits(text), text


def _phones_in_raw(root: Path) -> set[str]:
    """Phone-like strings of the raw files (the dictionary has no phone column)."""
    from iaobs.ingest.read import read_source

    found: set[str] = set()
    for path in (root / "data" / "raw").rglob("*"):
        if path.suffix in (".xlsx", ".csv"):
            frame = read_source(path).frame
            found |= set(PHONE.findall(frame.astype(str).to_csv(index=False)))
    return found


@pytest.mark.slow
def test_free_text_never_appears_in_a_report(sample_run: Path) -> None:
    responses = pd.read_parquet(sample_run / "data" / "processed" / "responses.parquet")
    comments = {c for c in responses["commentaire"].dropna().astype(str) if len(c) >= 12}
    assert comments, "the sample study has free-text comments"
    hits = []
    files = [p for p in (sample_run / "reports").rglob("*") if p.is_file()]
    assert len(files) >= 10, "the sample study should have rendered its reports"
    for path in files:
        flat = " ".join(_text_of(path).split())
        hits += [(path.name, c) for c in comments if " ".join(c.split()) in flat]
    assert not hits, hits[:10]
