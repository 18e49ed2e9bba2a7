"""The bad-input corpus: every case with its expected outcome, run through the command line.

Each case builds a study in a temporary folder holding one good file (``bon.xlsx``, four valid
responses) and one bad input (a file, or a broken study.toml), runs ``iaobs clean`` and checks
the outcome the case declares:

``refused``
    the bad file cannot be used: one line on stderr naming the file (and the sheet or row where
    it applies), no traceback, exit code 1; the good file is processed all the same
    (``responses.parquet`` holds its rows) and ``quality.json`` lists the bad file as failed.
``config``
    study.toml is wrong: one line naming study.toml and what to fix, exit code 1, and nothing
    is written (no ``data/processed``).
``accepted``
    the file is read (this is a supported oddity), exit code 0, rows read = kept + rejected.
``finding``
    the file is read; the problem is a data-quality finding at the file, sheet, row and column
    given, in ``findings.csv``; exit code 0 (``iaobs validate`` says whether it blocks).

Cases run in-process through :func:`iaobs.cli.main` (fast); a handful run again in a real
subprocess. ``docs/robustness.md`` is generated from this table and the observed messages:
``IAOBS_WRITE_DOCS=1 pytest tests/test_robustness.py -k doc`` rewrites it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hostile  # noqa: E402
from hostile import GOOD_FILE, GOOD_ROWS, BadInput  # noqa: E402
from iaobs.cli import main  # noqa: E402

DOC = HERE.parent / "docs" / "robustness.md"
SHEET = "feuille « Réponses »"


@dataclass(frozen=True)
class Case:
    """One bad input and what must happen to it."""

    id: str
    what: str
    build: Callable[[Path], BadInput]
    kind: str  # refused | config | accepted | finding
    message: tuple[str, ...] = ()
    finding: tuple[str, int, str] | None = None  # rule, row, column
    read: int | None = None  # rows read from the bad file (accepted, finding)
    check: Callable[[Path], None] | None = None
    why: str = ""
    tags: tuple[str, ...] = field(default=())


def _responses(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "processed" / "responses.parquet")


def _of(root: Path, file: str) -> pd.DataFrame:
    frame = _responses(root)
    return frame[frame["_source_file"] == f"data/raw/{file}"].sort_values("_source_row")


def check_formulas(root: Path) -> None:
    rows = _of(root, "formules.xlsx")
    assert rows["effectif"].tolist() == [42, 77]  # cached values, not 10 nor a sum
    assert rows["commentaire"].tolist()[0] == "valeur en cache"


def check_dates(root: Path) -> None:
    rows = _of(root, "dates.xlsx")
    dates = pd.to_datetime(rows["date_reponse"]).tolist()
    assert dates[:3] == [pd.Timestamp("2019-05-03")] * 3
    assert pd.isna(dates[3])


def check_hidden(root: Path) -> None:
    rows = _of(root, "caches.xlsx")
    assert rows["_source_sheet"].unique().tolist() == ["Réponses"]  # not the hidden sheet
    assert rows["_source_row"].tolist() == [2, 3, 4]  # the hidden row 3 is a response


def check_duplicates(root: Path) -> None:
    rows = _of(root, "doublons.xlsx")
    assert len(rows) == 3
    twin = rows[rows["_source_row"] == 5]
    assert twin["ia_stade"].astype(str).tolist() == ["aucun"]  # the latest complete answer
    rejects = pd.read_csv(root / "data" / "processed" / "rejects.csv")
    mine = rejects[rejects["_source_file"] == "data/raw/doublons.xlsx"]
    assert mine["rules"].tolist() == ["doublon"] and mine["_source_row"].tolist() == [2]
    assert mine["reasons"].str.contains("ligne 5").all()


def check_xls(root: Path) -> None:
    rows = _of(root, "ancien.xls")
    assert len(rows) == 4 and set(rows["secteur"].astype(str)) == {"banque"}
    assert rows["effectif"].tolist() == [40, 41, 42, 43]


def check_duplicated_columns(root: Path) -> None:
    quality = _quality(root)["data/raw/colonnes_doubles.xlsx"]
    assert "ia_stade.2" in quality["unmapped_columns"]
    assert any("en double" in n for n in quality["reader_notes"])
    assert _of(root, "colonnes_doubles.xlsx")["ia_stade"].notna().all()  # the first one is used


def check_merged(root: Path) -> None:
    quality = _quality(root)["data/raw/entete_fusionne.xlsx"]
    assert quality["header_row"] == 2
    assert "colonne_4" in quality["unmapped_columns"]


def check_header_only(root: Path) -> None:
    quality = _quality(root)["data/raw/entete_seul.xlsx"]
    assert quality["read"] == 0
    assert any("aucune ligne de données" in n for n in quality["reader_notes"])


def check_out_of_range(root: Path) -> None:
    findings = _findings(root)
    row = findings[(findings["file"] == "data/raw/hors_plage.xlsx") & (findings["row"] == 3)]
    assert set(row["rule"]) == {"hors_plage", "obligatoire_manquant"}  # size lost with it


CASES: list[Case] = [
    # ---- files that cannot be used
    Case(
        "truncated-xlsx",
        "xlsx cut in the middle (incomplete download)",
        hostile.truncated_xlsx,
        "refused",
        ("tronque.xlsx", "corrompu ou incomplet"),
    ),
    Case(
        "corrupt-xlsx",
        "xlsx whose zip content is random bytes",
        hostile.corrupt_xlsx,
        "refused",
        ("corrompu.xlsx", "corrompu"),
    ),
    Case(
        "broken-sheet-xml",
        "valid zip, worksheet XML cut short",
        hostile.broken_sheet_xml,
        "refused",
        ("xml_casse.xlsx", SHEET, "feuille illisible"),
    ),
    Case(
        "password-xlsx",
        "password-protected (encrypted) xlsx",
        hostile.password_xlsx,
        "refused",
        ("protege.xlsx", "protégé par mot de passe"),
    ),
    Case(
        "html-as-xls",
        "web page saved with an .xls name",
        hostile.html_as_xls,
        "refused",
        ("page.xls", "page web"),
    ),
    Case(
        "binary-csv",
        "a .csv file that is really binary",
        hostile.binary_csv,
        "refused",
        ("binaire.csv", "données binaires"),
    ),
    Case("pdf-as-csv", "a PDF named .csv", hostile.pdf_as_csv, "refused", ("export.csv", "PDF")),
    Case(
        "empty-xlsx",
        "empty file (0 bytes) named .xlsx",
        hostile.empty_xlsx_file,
        "refused",
        ("vide.xlsx", "vide (0 octet)"),
    ),
    Case(
        "empty-csv",
        "empty file (0 bytes) named .csv",
        hostile.empty_csv_file,
        "refused",
        ("vide.csv", "vide (0 octet)"),
    ),
    Case(
        "blank-csv",
        "CSV holding only blank lines and separators",
        hostile.blank_csv,
        "refused",
        ("blanc.csv", "en-tête"),
    ),
    Case(
        "empty-sheet",
        "workbook whose only sheet is empty",
        hostile.empty_sheet,
        "refused",
        ("feuille_vide.xlsx", SHEET, "vide"),
    ),
    Case(
        "no-header",
        "numbers only: no recognisable header row",
        hostile.no_header,
        "refused",
        ("sans_entete.xlsx", SHEET, "aucune ligne d'en-tête"),
    ),
    Case(
        "foreign-header",
        "another survey's columns (Nom, Prénom, Âge…)",
        hostile.foreign_header,
        "refused",
        ("autre_enquete.xlsx", SHEET, "aucune ligne d'en-tête"),
    ),
    Case(
        "too-large",
        "file above the size limit ([input] max_file_mb = 0.05)",
        hostile.too_large,
        "refused",
        ("enorme.csv", "trop volumineux", "limite 0,05 Mo"),
    ),
    Case(
        "xml-entity-bomb",
        "billion-laughs DOCTYPE in the worksheet XML",
        hostile.entity_bomb,
        "refused",
        ("bombe_xml.xlsx", "DTD ou des entités XML"),
        tags=("memory",),
    ),
    Case(
        "xml-bomb-shared-strings",
        "billion-laughs DOCTYPE in sharedStrings.xml",
        hostile.entity_bomb_shared_strings,
        "refused",
        ("bombe_chaines.xlsx", "sharedStrings"),
    ),
    Case(
        "xml-external-entity",
        "external entity (file:///etc/passwd) in the worksheet",
        hostile.external_entity,
        "refused",
        ("entite_externe.xlsx", "entités XML"),
    ),
    Case(
        "zip-bomb",
        "xlsx inflating to 24 MiB of zeros (limit 50 × 0.2 MiB)",
        hostile.zip_bomb,
        "refused",
        ("bombe_zip.xlsx", "décompressé"),
    ),
    Case(
        "wrong-encoding-declared",
        "UTF-8 byte-order mark on Windows-1252 text",
        hostile.wrong_encoding_declared,
        "refused",
        ("bom_menteur.csv", "texte illisible en utf-8"),
    ),
    Case(
        "unclosed-quote",
        "CSV with a quote opened on line 2 and never closed",
        hostile.unbalanced_quotes,
        "refused",
        ("guillemets.csv", "ligne 2", "guillemet"),
    ),
    Case(
        "folder-not-file",
        "the declared source is a folder",
        hostile.a_folder,
        "refused",
        ("dossier.xlsx", "dossier"),
    ),
    Case(
        "unknown-sheet",
        "study.toml names a sheet the workbook does not have",
        hostile.unknown_sheet,
        "refused",
        ("feuille.xlsx", "Feuil9", "Réponses"),
    ),
    Case(
        "header-row-too-far",
        "study.toml header_row = 40 in a 5-row sheet",
        hostile.header_row_too_far,
        "refused",
        ("ligne.xlsx", SHEET, "ligne d'en-tête 40"),
    ),
    # ---- oddities that are supported
    Case(
        "old-xls",
        "old Excel 97-2003 .xls (BIFF8)",
        hostile.old_xls,
        "accepted",
        read=4,
        check=check_xls,
        why="supported: read with calamine",
    ),
    Case(
        "workbook-named-csv",
        "an xlsx renamed .csv",
        hostile.workbook_named_csv,
        "accepted",
        read=4,
        why="recognised by its content",
    ),
    Case(
        "windows-1252-csv",
        "CSV saved by an old Excel (Windows-1252, no BOM)",
        hostile.windows_1252_csv,
        "accepted",
        read=2,
        why="encoding detected, never Latin-1",
    ),
    Case("utf16-csv", "UTF-16 CSV with BOM, tab-separated", hostile.utf16_csv, "accepted", read=1),
    Case(
        "header-only",
        "header row and no data",
        hostile.header_only,
        "accepted",
        read=0,
        check=check_header_only,
        why="not an error: 0 rows read, a note in quality.json",
    ),
    Case(
        "duplicated-columns",
        "two columns named ia_stade",
        hostile.duplicated_columns,
        "accepted",
        read=4,
        check=check_duplicated_columns,
        why="the first is used, the second renamed ia_stade.2 and listed as unmapped",
    ),
    Case(
        "merged-header",
        "title merged over the header, header cells merged",
        hostile.merged_header,
        "accepted",
        read=2,
        check=check_merged,
        why="header found on row 2; the column under a merged cell is kept as colonne_4",
    ),
    Case(
        "hidden-sheet-and-rows",
        "an old hidden sheet with more rows; a hidden row",
        hostile.hidden_sheet_and_rows,
        "accepted",
        read=3,
        check=check_hidden,
        why="hidden sheets are never chosen; hidden rows are responses and are read",
    ),
    Case(
        "formulas",
        "formulas with cached values (=2*5 cached 42, =WEBSERVICE(…))",
        hostile.formulas,
        "accepted",
        read=2,
        check=check_formulas,
        why="cached values are used, formulas are never evaluated",
    ),
    # ---- data problems: findings with file, sheet, row and column
    Case(
        "three-date-formats",
        "ISO, dd/mm/yyyy, Excel serial and 31/02/2019 in one column",
        hostile.three_date_formats,
        "finding",
        finding=("date_invalide", 5, "date_reponse"),
        read=4,
        check=check_dates,
        why="three formats read as the same day; 31/02 emptied",
    ),
    Case(
        "out-of-range",
        "negative headcount (effectif = -12)",
        hostile.out_of_range,
        "finding",
        finding=("hors_plage", 3, "effectif"),
        read=3,
        check=check_out_of_range,
        why="cell emptied (warning); without a size the row is rejected",
    ),
    Case(
        "unknown-code",
        "answer outside the list (ia_stade = « peut-être bientôt »)",
        hostile.unknown_code,
        "finding",
        finding=("code_inconnu", 4, "ia_stade"),
        read=3,
    ),
    Case(
        "naf-against-sector",
        "NAF 62.01Z (software) in the banque file",
        hostile.naf_against_sector,
        "finding",
        finding=("naf_secteur_incoherent", 3, "naf_code"),
        read=3,
        why="warning; the stated sector is kept",
    ),
    Case(
        "conflicting-duplicates",
        "same SIREN twice with different answers",
        hostile.conflicting_duplicates,
        "finding",
        finding=("doublon", 2, "id_repondant"),
        read=4,
        check=check_duplicates,
        why="the latest complete answer is kept, the other rejected",
    ),
    Case(
        "required-missing",
        "no sector, no NAF, no headcount on a row",
        hostile.required_missing,
        "finding",
        finding=("obligatoire_manquant", 4, "secteur"),
        read=3,
        why="row rejected with its reason",
    ),
    # ---- study.toml
    Case(
        "study-typo",
        "study.toml: « regoin » for « region »",
        hostile.study_typo,
        "config",
        ("study.toml", "regoin", "region"),
    ),
    Case(
        "study-unknown-sector",
        "study.toml: sector = « banqe »",
        hostile.study_unknown_sector,
        "config",
        ("study.toml", "banqe", "banque"),
    ),
    Case(
        "study-missing-file",
        "study.toml: a source file that does not exist",
        hostile.study_missing_file,
        "config",
        ("study.toml", "absent.xlsx"),
    ),
    Case(
        "study-bad-toml",
        "study.toml: unterminated string",
        hostile.study_bad_toml,
        "config",
        ("study.toml", "TOML invalide", "line 7"),
    ),
    Case(
        "study-unknown-profile",
        "study.toml: profile = « limesurvay »",
        hostile.study_unknown_profile,
        "config",
        ("study.toml", "limesurvay", "limesurvey"),
    ),
    Case(
        "study-wave-escape",
        "study.toml: wave = « ../../hors_etude » (folder name)",
        hostile.study_wave_escape,
        "config",
        ("study.toml", "wave", "nom de vague invalide"),
    ),
    Case(
        "study-sector-escape",
        "study.toml: sector code « ../evil » (folder name)",
        hostile.study_sector_escape,
        "config",
        ("study.toml", "code de secteur invalide"),
    ),
]
BY_ID = {case.id: case for case in CASES}


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    root: Path


def _build(case: Case, root: Path) -> BadInput:
    raw = root / "data" / "raw"
    hostile.write_good_file(raw)
    bad = case.build(raw)
    hostile.write_study(root, bad)
    return bad


def _run_inprocess(root: Path, capsys: pytest.CaptureFixture[str]) -> Outcome:
    capsys.readouterr()
    code = main(["clean", str(root)])
    out = capsys.readouterr()
    return Outcome(code, out.out, out.err, root)


def _quality(root: Path) -> dict[str, Any]:
    data = json.loads((root / "data" / "processed" / "quality.json").read_text("utf-8"))
    return {entry["file"]: entry for entry in data["files"]}


def _findings(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "data" / "processed" / "findings.csv")


def _error_lines(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in lines:
        assert line.startswith("iaobs : erreur : "), line
        assert "erreur interne" not in line, line
    assert "Traceback" not in stderr
    return lines


def check_outcome(case: Case, bad: BadInput, outcome: Outcome) -> None:
    """The assertions shared by the in-process and the subprocess runs."""
    root = outcome.root
    processed = root / "data" / "processed"
    lines = _error_lines(outcome.stderr)
    assert not list(root.rglob("*.tmp")), "temporary file left behind"
    if case.kind == "config":
        assert outcome.code == 1
        assert len(lines) == 1, lines
        for part in case.message:
            assert part in lines[0], (part, lines[0])
        assert not processed.exists(), "a refused study must not write anything"
        return
    quality = _quality(root)
    good = quality[f"data/raw/{GOOD_FILE}"]
    assert good["status"] == "ok" and good["kept"] == GOOD_ROWS
    assert (_responses(root)["_source_file"] == f"data/raw/{GOOD_FILE}").sum() == GOOD_ROWS
    entry = quality[f"data/raw/{bad.file}"]
    if case.kind == "refused":
        assert outcome.code == 1
        assert len(lines) == 1, lines
        for part in case.message:
            assert part in lines[0], (part, lines[0])
        assert f"« {bad.file} »" in lines[0]
        assert entry["status"] == "failed" and entry["message"] in lines[0]
        assert entry["read"] == entry["kept"] == entry["rejected"] == 0
        return
    assert outcome.code == 0, outcome.stderr
    assert lines == []
    assert entry["status"] == "ok"
    assert entry["read"] == entry["kept"] + entry["rejected"]
    if case.read is not None:
        assert entry["read"] == case.read
    if case.finding is not None:
        rule, row, column = case.finding
        findings = _findings(root)
        mine = findings[(findings["file"] == f"data/raw/{bad.file}") & (findings["rule"] == rule)]
        assert not mine.empty, findings
        assert (mine["row"] == row).any() and (mine["column"] == column).any(), mine
        if not bad.file.endswith(".csv"):
            assert (mine["sheet"] == "Réponses").all()
    if case.check is not None:
        case.check(root)


def test_corpus_is_large_and_covers_the_issue() -> None:
    assert len(CASES) >= 30
    assert len(BY_ID) == len(CASES)
    kinds = {case.kind for case in CASES}
    assert kinds == {"refused", "config", "accepted", "finding"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _build(case, tmp_path)
    check_outcome(case, bad, _run_inprocess(tmp_path, capsys))


SUBPROCESS_CASES = [
    "password-xlsx",
    "xml-entity-bomb",
    "binary-csv",
    "study-typo",
    "formulas",
    "unclosed-quote",
]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("IAOBS_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "iaobs.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_bad_input_in_a_real_process(case_id: str, tmp_path: Path) -> None:
    case = BY_ID[case_id]
    bad = _build(case, tmp_path)
    proc = _cli("clean", str(tmp_path))
    check_outcome(case, bad, Outcome(proc.returncode, proc.stdout, proc.stderr, tmp_path))


@pytest.mark.parametrize("case_id", ["truncated-xlsx", "password-xlsx", "no-header", "zip-bomb"])
def test_validate_names_the_bad_file(
    case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = BY_ID[case_id]
    bad = _build(case, tmp_path)
    capsys.readouterr()
    code = main(["validate", str(tmp_path / "data" / "raw" / bad.file), "--study", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 1
    lines = _error_lines(out.err)
    assert len(lines) == 1 and f"« {bad.file} »" in lines[0]
    assert not (tmp_path / "data" / "processed").exists()  # validate writes nothing


def test_validate_in_a_real_process_good_and_bad(tmp_path: Path) -> None:
    bad = _build(BY_ID["corrupt-xlsx"], tmp_path)
    raw = tmp_path / "data" / "raw"
    proc = _cli("validate", str(raw / GOOD_FILE), str(raw / bad.file))
    assert proc.returncode == 1
    lines = _error_lines(proc.stderr)
    assert len(lines) == 1 and "corrompu.xlsx" in lines[0]
    assert GOOD_FILE in proc.stdout  # the good file is still checked and reported


def test_entity_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """The refusal streams at most 1 MiB per XML part: the process stays small."""
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    bad = hostile.entity_bomb(raw)
    code = (
        "import sys\n"
        "from iaobs.cli import main\n"
        f"rc = main(['validate', {str(raw / bad.file)!r}])\n"
        # VmHWM is this process's own peak (ru_maxrss would keep the parent's across exec)
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print('MAXRSS', hwm, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "DTD ou des entités XML" in proc.stderr
    maxrss_kib = int(proc.stderr.split("MAXRSS")[1].split()[0])
    # pandas, pyarrow and calamine alone take ~150 MiB; one expansion of the bomb is 3 GB
    assert maxrss_kib < 400 * 1024, maxrss_kib


def test_all_files_bad_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    a = hostile.truncated_xlsx(raw)
    b = hostile.binary_csv(raw)
    (tmp_path / "study.toml").write_text(
        hostile.STUDY_HEAD + f'\n[[sources]]\npath = "data/raw/{a.file}"\n'
        f'\n[[sources]]\npath = "data/raw/{b.file}"\n',
        encoding="utf-8",
    )
    outcome = _run_inprocess(tmp_path, capsys)
    assert outcome.code == 1
    lines = _error_lines(outcome.stderr)
    assert len(lines) == 1 and a.file in lines[0] and b.file in lines[0]
    assert not (tmp_path / "data" / "processed").exists()


# --------------------------------------------------------------------------------------------
# docs/robustness.md, generated from the table


def _observed(case: Case, tmp: Path, capsys: pytest.CaptureFixture[str]) -> str:
    root = tmp / case.id
    root.mkdir()
    bad = _build(case, root)
    outcome = _run_inprocess(root, capsys)
    if outcome.stderr.strip():
        return outcome.stderr.strip().removeprefix("iaobs : erreur : ")
    if case.finding is not None:
        rule, row, _column = case.finding
        findings = _findings(root)
        hit = findings[
            (findings["file"] == f"data/raw/{bad.file}")
            & (findings["rule"] == rule)
            & (findings["row"] == row)
        ]
        if not hit.empty:
            first = hit.iloc[0]
            return (
                f"finding `{rule}` ({first['severity']}) at {bad.file}, row {row}, column "
                f"`{first['column']}` : {first['message']}"
            )
    entry = _quality(root)[f"data/raw/{bad.file}"]
    return f"{entry['read']} row(s) read, {entry['kept']} kept, {entry['rejected']} rejected"


OUTCOMES = {
    "refused": "exit 1; one stderr line naming the file; the good file processed; listed as failed in quality.json",
    "config": "exit 1; one stderr line naming study.toml; nothing written",
    "accepted": "exit 0; read",
    "finding": "exit 0; finding in findings.csv (file, sheet, row, column)",
}


START = "<!-- corpus:start (generated by tests/test_robustness.py) -->"
END = "<!-- corpus:end -->"


def render_corpus(observed: dict[str, str]) -> str:
    """The generated part of docs/robustness.md: the outcomes and the corpus table."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [START, "", f"{len(CASES)} cases. Outcomes:", ""]
    for kind, text in OUTCOMES.items():
        lines.append(f"* **{kind}**: {text}.")
    lines += [
        "",
        "| case | what is tried | outcome | what happens (message as printed) |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        note = f" — {case.why}" if case.why else ""
        lines.append(
            f"| `{case.id}` | {cell(case.what)} | {case.kind}{cell(note)} | "
            f"{cell(observed[case.id])} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def test_doc_is_generated_from_the_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    observed = {case.id: _observed(case, tmp_path, capsys) for case in CASES}
    current = DOC.read_text("utf-8")
    assert START in current and END in current, "docs/robustness.md lost its corpus markers"
    head, rest = current.split(START, 1)
    tail = rest.split(END, 1)[1]
    text = head + render_corpus(observed) + tail
    if os.environ.get("IAOBS_WRITE_DOCS"):
        DOC.write_text(text, encoding="utf-8")
    assert current == text or os.environ.get("IAOBS_WRITE_DOCS"), (
        "docs/robustness.md is out of date: IAOBS_WRITE_DOCS=1 pytest tests/test_robustness.py -k doc"
    )
