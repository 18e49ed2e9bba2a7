"""Company reports: percentiles in sector and size class, « pistes d'action » chosen by the
observatory's YAML rules, each pointing to an offer of the study's training catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_company_benchmark import _context

from iaobs.errors import ConfigError
from iaobs.reports.kinds import actions

RULES = """
pistes:
  - id: b
    priorite: 2
    si: {ia_stade: [experimentation]}
    titre: "Passer de l'essai au déploiement"
    texte: "Texte B."
    offre: OFF-2
  - id: a
    priorite: 1
    si: {techno__analyse_texte: ["1"]}
    titre: "Mieux analyser les textes"
    texte: "Texte A."
    offre: OFF-1
  - id: jamais
    priorite: 0
    si: {ia_stade: [aucun]}
    titre: "Ne s'applique pas"
    offre: OFF-3
  - id: centile
    priorite: 3
    centile_sous: {ia_stade: 50}
    titre: "Sous la médiane"
    offre: OFF-4
  - id: meme-offre
    priorite: 4
    si: {ia_stade: [experimentation]}
    titre: "Même offre que A"
    offre: OFF-1
"""


def test_percentile_is_the_mid_rank_of_the_answer(tmp_path: Path, repo_root: Path) -> None:
    ctx = _context(tmp_path, repo_root)
    # banque: 40 % + 30 % below "experimentation", 15 % at it -> 70 + 7.5
    assert actions.percentile(ctx, "ia_stade", "secteur=banque") == pytest.approx(77.5)
    hidden = _context(tmp_path, repo_root, size_flags=["", "s", "", "", ""])
    assert actions.percentile(hidden, "ia_stade", "taille=pme") is None


def test_rules_are_chosen_by_priority_one_per_offer(tmp_path: Path, repo_root: Path) -> None:
    path = tmp_path / "pistes_action.yaml"
    path.write_text(RULES, encoding="utf-8")
    rules = actions.load_action_rules(path)
    assert [r.id for r in rules] == ["jamais", "a", "b", "centile", "meme-offre"]
    ctx = _context(tmp_path, repo_root)
    chosen = actions.chosen_actions(ctx, rules)
    # "jamais" does not apply, "centile" neither (77.5 is above 50), "meme-offre" repeats OFF-1
    assert [r.id for r in chosen] == ["a", "b"]


def test_shipped_rules_and_catalogue_give_three_actions(tmp_path: Path, repo_root: Path) -> None:
    rules = actions.load_action_rules(None)  # the rules shipped with iaobs
    catalogue = actions.load_catalogue(
        repo_root / "data" / "reference" / "catalogue_formations.csv"
    )
    assert {r.offer for r in rules} <= set(catalogue)  # every rule points to a sample offer
    ctx = _context(
        tmp_path,
        repo_root,
        answers={
            "ia_stade": "aucun",
            "part_formes_ia": "aucun",
            "besoin_comp__donnees": "tres_fort",
            "ia_generative": "individuel_non_encadre",
        },
    )
    html = str(actions.action_block(ctx))
    assert html.count("<li>") == 3 and "Pistes d&#x27;action" in html
    assert "Offre :" in html and "IA-DECOUV-02" in html


def test_a_rule_without_its_offer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pistes_action.yaml"
    path.write_text("pistes:\n  - {id: x, titre: X}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="offre"):
        actions.load_action_rules(path)


def test_position_table_names_both_groups(tmp_path: Path, repo_root: Path) -> None:
    from iaobs.reports.kinds import company_tables

    html = str(company_tables.show(_context(tmp_path, repo_root), "position"))
    assert "Tableau 1 – Position" in html
    assert "Votre secteur" in html and "Votre taille" in html and "78\u1d49 centile" in html


def test_centile_ordinals_in_both_languages() -> None:
    from types import SimpleNamespace

    fr = SimpleNamespace(pick=lambda a, b: a)
    en = SimpleNamespace(pick=lambda a, b: b)
    assert actions.centile_words(fr, 1.2) == "1\u1d49\u02b3 centile"
    assert actions.centile_words(fr, 23) == "23\u1d49 centile"
    words = [actions.centile_words(en, v) for v in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 99)]
    assert [w.split()[0] for w in words] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "99th",
    ]  # fmt: skip
