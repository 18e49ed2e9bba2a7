"""Company benchmarks: positions from published cells only, hidden groups, no other company's
data, staff-only index, public index shows a count only."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from iaobs.errors import ConfigError
from iaobs.render.index import IndexCard, index_html
from iaobs.render.matrix import STAFF_INDEX, company_slug, write_staff_index
from iaobs.reports.context import INDICATOR_COLUMNS
from iaobs.reports.kinds import company as bm
from iaobs.reports.kinds import company_chart as charts
from iaobs.reports.kinds import company_tables as tables
from iaobs.study.config import load_study

STAGES = ["aucun", "veille", "experimentation", "deploiement_partiel", "deploiement_generalise"]


def _rows(domain: str, shares: list[float], flags: list[str] | None = None, n: int = 120) -> list:
    flags = flags or [""] * len(shares)
    out = []
    for code, share, flag in zip(STAGES, shares, flags, strict=True):
        hidden = flag in ("s", "nd")
        est = float("nan") if hidden else share
        out.append(
            ["ia_stade", code, domain, "proportion", est, 0.01, est, est, n, n, 1000.0, flag]
        )
    return out


def _context(
    tmp_path: Path,
    repo_root: Path,
    *,
    size_flags: list[str] | None = None,
    answers: dict | None = None,
) -> bm.CompanyContext:
    study = load_study(repo_root)
    rows = (
        _rows("secteur=banque", [0.40, 0.30, 0.15, 0.10, 0.05])
        + _rows("taille=pme", [0.50, 0.20, 0.10, 0.15, 0.05], flags=size_flags)
        + _rows("secteur=assurance", [0.01, 0.01, 0.01, 0.01, 0.96])
    )
    rows.append(
        [
            "techno__analyse_texte",
            "",
            "secteur=banque",
            "proportion",
            0.2,
            0.01,
            0.1,
            0.3,
            120,
            120,
            1000.0,
            "",
        ]
    )
    rows.append(
        [
            "techno__analyse_texte",
            "",
            "taille=pme",
            "proportion",
            float("nan"),
            0.0,
            float("nan"),
            float("nan"),
            4,
            4,
            10.0,
            "s",
        ]
    )
    indicators = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    base = {
        "id_repondant": "Eaaa111",
        "secteur": "banque",
        "taille": "pme",
        "ia_stade": "experimentation",
        "techno__analyse_texte": 1,
        "volontaire_accompagnement": "oui",
    }
    base.update(answers or {})
    return bm.CompanyContext(
        study=study,
        dictionary=study.dictionary,
        indicators=indicators,
        quality={},
        weighting={},
        language="fr",
        sector="banque",
        date=dt.date(2019, 6, 1),
        processed_dir=tmp_path,
        company="Eaaa111",
        size="pme",
        answers=base,
    )


def test_stage_position_sums_the_published_lower_levels(tmp_path: Path, repo_root: Path) -> None:
    ctx = _context(tmp_path, repo_root)
    pos = bm.stage_position(ctx, "ia_stade", "secteur=banque")
    assert pos["status"] == "ok"
    assert pos["below"] == pytest.approx(0.70) and pos["same"] == pytest.approx(0.15)
    assert pos["above"] == pytest.approx(0.15)
    sentence = bm.position_sentence(ctx, "ia_stade", "secteur=banque")
    assert "plus avancé que celui de 70\u202f%" in sentence


def test_hidden_own_level_hides_the_comparison_and_says_why(
    tmp_path: Path, repo_root: Path
) -> None:
    ctx = _context(tmp_path, repo_root, size_flags=["", "", "s", "s", ""])
    pos = bm.stage_position(ctx, "ia_stade", "taille=pme")
    assert pos["status"] == "hidden" and pos["below"] != pos["below"]  # NaN
    sentence = bm.position_sentence(ctx, "ia_stade", "taille=pme")
    assert "ne peut pas être montrée" in sentence and "%" not in sentence.split("(")[0]


def test_secret_lower_level_gives_a_partial_position(tmp_path: Path, repo_root: Path) -> None:
    # veille (20 %) and deploiement_generalise (5 %) secret; the company is at experimentation
    ctx = _context(tmp_path, repo_root, size_flags=["", "s", "", "", "s"])
    pos = bm.stage_position(ctx, "ia_stade", "taille=pme")
    assert pos["status"] == "partial" and pos["same"] == pytest.approx(0.10)
    assert pos["below"] != pos["below"] and pos["above"] != pos["above"]  # NaN: not derivable
    sentence = bm.position_sentence(ctx, "ia_stade", "taille=pme")
    assert "comme 10\u202f%" in sentence and "pas entièrement diffusée" in sentence
    figure = charts.chart_position(ctx, "ia_stade", title="Stade")
    # the published levels are drawn, the secret ones only as one grey block marked s
    size_alt = figure.split("Votre taille (PME) : ")[1].split(".")[0]
    for shown in ("Aucun usage ni projet 50\u202f%", "(test, POC) 10\u202f%", "partiel 15\u202f%"):
        assert shown in size_alt
    assert "Veille, réflexion non diffusé" in size_alt
    assert "Déploiement généralisé non diffusé" in size_alt
    size_row = re.findall(r'<text x="[\d.]+" y="44.6"[^>]*>([^<]*)</text>', figure)
    assert size_row == ["Votre taille (PME)", "50\u202f%", "10\u202f%", "15\u202f%", "s"]
    assert f'fill="{charts.SECRET_GREY}"' in figure and ">s</text>" in figure
    assert "regroupées en gris" in figure and "s : secret statistique" in figure
    grey = re.search(
        rf'<rect x="([\d.]+)" y="32" width="([\d.]+)" [^>]*{charts.SECRET_GREY}', figure
    )
    assert grey is not None and float(grey.group(2)) == pytest.approx(0.25 * charts.SPAN, abs=0.3)
    # the title above the chart
    assert figure.index("<figcaption>") < figure.index("<svg")


def test_domain_without_published_level_is_left_out(tmp_path: Path, repo_root: Path) -> None:
    ctx = _context(tmp_path, repo_root, size_flags=["nd"] * 5)
    figure = charts.chart_position(ctx, "ia_stade", title="Stade")
    assert "non diffusé (trop peu de réponses)" in figure
    # the sector's bar is still drawn
    assert "40\u202f%" in figure and f'fill="{charts.SECRET_GREY}"' not in figure


def test_no_other_domain_and_no_secret_value(tmp_path: Path, repo_root: Path) -> None:
    ctx = _context(tmp_path, repo_root)
    page = "".join(
        [
            bm.header(ctx),
            bm.essentiel(ctx),
            charts.chart_position(ctx, "ia_stade", title="Stade"),
            tables.show(ctx, "technologies"),
        ]
    )
    assert "96\u202f%" not in page  # another sector's figure
    table = tables.build_company_table(ctx, "technologies").frame
    size_col = next(c for c in table.columns if c.startswith("Votre taille") and "–" not in c)
    assert table[size_col].isna().iloc[0]  # the secret cell stays empty…
    assert re.search(r"<td class=\"num flag\">s</td>", page)  # …and is shown as s


def test_no_answer_is_not_placed(tmp_path: Path, repo_root: Path) -> None:
    ctx = _context(tmp_path, repo_root, answers={"ia_stade": "nsp"})
    assert bm.stage_position(ctx, "ia_stade", "secteur=banque")["status"] == "no_answer"


def test_answers_read_by_pseudonymous_id_without_free_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id_repondant": ["Eaaa111", "Ebbb222", "Eccc333"],
            "secteur": ["banque", "banque", "banque"],
            "volontaire_accompagnement": ["oui", "oui", "non"],
            "commentaire": ["mon secret", "autre secret", ""],
        }
    )
    frame.to_parquet(tmp_path / "responses.parquet")
    answers = bm.company_answers(tmp_path, "Eaaa111")
    assert answers["id_repondant"] == "Eaaa111" and "commentaire" not in answers
    assert "Ebbb222" not in str(answers)
    with pytest.raises(ConfigError):
        bm.company_answers(tmp_path, "Eccc333")  # did not volunteer
    with pytest.raises(ConfigError):
        bm.company_answers(tmp_path, "Ezzz999")


def test_answers_follow_a_rewritten_file(tmp_path: Path) -> None:
    """The volunteers' answers are read once per process, but never outlive their file."""
    path = tmp_path / "responses.parquet"
    frame = pd.DataFrame(
        {"id_repondant": ["Eaaa111"], "ia_stade": ["veille"], "volontaire_accompagnement": ["oui"]}
    )
    frame.to_parquet(path)
    assert bm.company_answers(tmp_path, "Eaaa111")["ia_stade"] == "veille"
    frame.assign(ia_stade=["deploiement_partiel"], extra=[1]).to_parquet(path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert bm.company_answers(tmp_path, "Eaaa111")["ia_stade"] == "deploiement_partiel"


def test_company_slug() -> None:
    assert company_slug("E7175edc5b1") == "entreprise-e7175edc5b1"
    assert company_slug("AB_12") == "entreprise-ab-12"
    with pytest.raises(ConfigError):
        company_slug("x" * 80)


def test_staff_index_is_marked_internal_and_holds_no_identity(tmp_path: Path) -> None:
    companies = [
        {
            "id": "Eaaa111",
            "secteur": "banque",
            "taille": "pme",
            "source_file": "data/raw/2019/banque.xlsx",
            "source_row": 12,
        },
    ]
    path = write_staff_index(tmp_path, companies)
    assert path == tmp_path / STAFF_INDEX
    text = path.read_text("utf-8-sig")
    first, header, row = text.splitlines()
    assert "USAGE INTERNE" in first and "NE PAS DIFFUSER" in first
    assert header.split(";") == [
        "identifiant",
        "rapport",
        "secteur",
        "taille",
        "fichier_source",
        "ligne_source",
    ]
    assert row == "Eaaa111;entreprise-eaaa111/;banque;pme;data/raw/2019/banque.xlsx;12"
    mtime = path.stat().st_mtime_ns
    write_staff_index(tmp_path, companies)  # unchanged content: not rewritten
    assert path.stat().st_mtime_ns == mtime


def test_public_index_shows_a_count_and_no_company(tmp_path: Path) -> None:
    for slug in ("banque", "entreprise-eaaa111"):
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "report.html").write_text("x")
    cards = [
        IndexCard("banque", "Banque", "secteur"),
        IndexCard(
            "entreprise-eaaa111", "Votre entreprise face à son secteur – Eaaa111", "entreprise"
        ),
        IndexCard("entreprise-ebbb222", "Votre entreprise – Ebbb222", "entreprise", failed="échec"),
    ]
    page = index_html(
        cards, tmp_path, title="Obs", region="HdF", wave="2019", date=dt.datetime(2019, 6, 1)
    )
    assert "banque/report.html" in page
    assert "eaaa111" not in page.lower() and "ebbb222" not in page.lower()
    assert "index-personnel" not in page
    text = html.unescape(page)
    assert "1 rapport « Votre" in text and "1 rapport d'entreprise en échec" in text


def test_only_questions_asked_are_shown(tmp_path: Path, repo_root: Path) -> None:
    """The indicators hold only the adoption stage and one technology: no section, chart,
    table or row speaks of a question nobody answered, and the tables are numbered on."""
    ctx = _context(tmp_path, repo_root)
    for section in ("emploi", "competences", "formation", "freins"):
        assert str(ctx.heading(2, section)) == ""
    assert str(ctx.heading(2, "adoption")).startswith("<h2>1. ")
    assert str(charts.chart_position(ctx, "impact_effectifs", title="Emploi")) == ""
    assert str(charts.chart_position(ctx, "part_formes_ia", title="Formés")) == ""
    assert str(tables.show(ctx, "freins")) == "" and str(tables.show(ctx, "besoins")) == ""
    technologies = tables.build_company_table(ctx, "technologies")
    assert technologies is not None and technologies.number == 2  # after the position table
    assert len(technologies.frame) == 1  # only the technology somebody answered about
    sheets = [t.key for s in tables.company_tables(ctx) for t in s.tables]
    assert sheets == ["position", "technologies"]
    page = "".join(str(f.sentence) for f in bm.key_figures(ctx))
    assert "effectifs" not in page and "formé" not in page
    with pytest.raises(KeyError):
        tables.build_company_table(ctx, "inconnu")


def test_essentiel_names_the_question_of_a_sentence_that_does_not(
    tmp_path: Path, repo_root: Path
) -> None:
    """Out of its section, « … à cette question » must say which question."""
    named = bm.key_figures(_context(tmp_path, repo_root))[0].sentence
    assert named.startswith("Votre stade d'adoption")  # a complete position names itself
    unnamed = bm.key_figures(_context(tmp_path, repo_root, answers={"ia_stade": None}))[0]
    assert unnamed.sentence.startswith("Stade d'adoption de l'IA : votre entreprise n'a pas")
