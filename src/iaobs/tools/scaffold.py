"""``iaobs init``: scaffold a new regional study outside the repository.

A partner region gets a folder it can fill: a commented ``study.toml``, ``data/raw/`` for its
survey exports, the Excel input template, a population-margins file to complete (one row per
secteur × taille × département) with instructions on where official counts come from, and a
short French README.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from iaobs.actors.schema import write_actors_template
from iaobs.core.atomic import write_text
from iaobs.errors import ConfigError
from iaobs.study.config import load_study
from iaobs.study.dictionary import load_dictionary
from iaobs.tools.template import write_template

__all__ = ["Departement", "departements_of_region", "init_study", "list_departements"]


@dataclass(frozen=True)
class Departement:
    """A French département: its code (``02``, ``2A``, ``971``), name and region."""

    code: str
    name: str
    region: str


@cache
def list_departements() -> tuple[Departement, ...]:
    """Every French département (official geography since 2016), in code order."""
    text = resources.files("iaobs.data").joinpath("departements.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple(Departement(r["code"], r["nom"], r["region"]) for r in rows)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def departements_of_region(region: str) -> list[Departement]:
    """The départements of a region named as usual (accents, case and dashes ignored)."""
    key = _fold(region)
    return [d for d in list_departements() if _fold(d.region) == key]


def _parse_departements(codes: str) -> list[Departement]:
    known = {d.code: d for d in list_departements()}
    out = []
    for raw in re.split(r"[,;\s]+", codes.strip()):
        if not raw:
            continue
        code = raw.upper().zfill(2) if raw.isdigit() or len(raw) < 2 else raw.upper()
        if code not in known:
            raise ConfigError(
                f"département inconnu « {raw} »",
                hint="donnez des codes officiels séparés par des virgules, ex. 09,11,31",
            )
        out.append(known[code])
    return out


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _study_toml(region: str, wave: str, language: str, deps: list[Departement]) -> str:
    dictionary = load_dictionary()
    sectors = "\n".join(
        f"# [sectors.{s.code}]\n# label = [{_toml_string(s.label.fr)}, {_toml_string(s.label.en)}]\n"
        f"# naf = [{', '.join(_toml_string(n) for n in s.naf)}]"
        for s in dictionary.sectors.values()
    )
    dep_lines = "\n".join(f"{_toml_string(d.code)} = {_toml_string(d.name)}" for d in deps)
    return f"""# Étude de l'observatoire régional de l'IA et des compétences — {region}
# Ce fichier décrit l'étude : iaobs le lit à chaque commande (« iaobs run » dans ce dossier).
# Les lignes qui commencent par # sont des commentaires.

[study]
title = "Observatoire régional de l'intelligence artificielle et des compétences"
region = {_toml_string(region)}
wave = {_toml_string(wave)}          # l'année (ou le nom) de la vague d'enquête
language = {_toml_string(language)}          # fr ou en : langue des rapports

# Départements de la région (code = nom). Les réponses d'autres départements sont signalées.
[departements]
{dep_lines}

# Marges de population pour la pondération : une ligne par secteur × taille × département
# avec le nombre d'entreprises (voir data/reference/LISEZMOI.md pour les sources officielles).
[population]
margins = "data/reference/population.csv"

# Ou bien : les marges construites par « iaobs frame » à partir des fichiers Sirene de l'INSEE
# (StockUniteLegale et StockEtablissement, CSV, zip ou parquet, tels que publiés).
# [frame]
# unites_legales = "data/raw/sirene/StockUniteLegale_utf8.zip"
# etablissements = "data/raw/sirene/StockEtablissement_utf8.zip"

# Fichiers de réponses. Sans section [[sources]], iaobs lit tous les fichiers de data/raw/
# (xlsx, xls, ods, csv) avec le modèle de saisie « template » ; les fichiers dont le nom commence
# par « formation » sont lus comme le questionnaire de la formation pilote.
# Pour un export d'outil d'enquête, déclarez le fichier et son profil :
# [[sources]]
# path = "data/raw/export_limesurvey.csv"
# profile = "limesurvey"     # template, limesurvey, google-forms, kobo, surveymonkey, sphinx,
#                            # ou le chemin d'un fichier de correspondance YAML (iaobs map suggest)
# sector = "banque"          # facultatif : le secteur de toutes les réponses du fichier

# Secteurs : par défaut les six secteurs du dictionnaire. Pour en changer, décommentez et adaptez
# (ajouter un secteur, en retirer un, changer ses codes NAF) ; la liste remplace celle par défaut.
{sectors}

# Annuaire et carte des acteurs de l'IA (rapport « acteurs-ia ») : les établissements actifs
# de la région dans SIRENE (fichiers StockEtablissement et StockUniteLegale de l'Insee, ou leur
# extrait régional ; {{wave}} = la vague) dont l'activité est l'un des codes NAF ci-dessous, et la
# liste des acteurs tenue par l'observatoire (voir data/reference/acteurs/LISEZMOI.md).
# Sans « etablissements » ni « unites_legales », la vague de l'étude lit les fichiers de [frame].
[acteurs]
naf = ["58.29C", "62.01Z", "62.02A", "63.11Z", "72.19Z"]
etablissements = "data/reference/sirene/{{wave}}/StockEtablissement.csv"
unites_legales = "data/reference/sirene/{{wave}}/StockUniteLegale.csv"
liste = "data/reference/acteurs/acteurs.csv"

# Seuils de secret statistique et de précision (valeurs par défaut) :
# [thresholds]
# secret_min_firms = 3       # moins de 3 entreprises : cellule secrète (s)
# secret_answer_coverage = 0.5  # règle des 1 à 2 entreprises par réponse là où les répondants
#                              # sont au moins la moitié des entreprises qu'ils représentent
# secret_dominance = 0.85    # une entreprise pèse plus de 85 % d'un total : secret (s)
# secret_min_persons = 11    # tableaux de personnes (formation pilote)
# nd_below = 10              # moins de 10 répondants : non diffusé (nd)
# prudence_below = 30        # moins de 30 répondants : à interpréter avec prudence
# prudence_cv = 0.33
# prudence_ci_width = 0.30

# Pseudonymisation : la clé secrète des identifiants pseudonymes est lue dans la variable
# d'environnement IAOBS_PSEUDONYM_KEY ; gardez-la hors de ce fichier.
# [privacy]
# key_env = "IAOBS_PSEUDONYM_KEY"
"""


def _margins_csv(deps: list[Departement]) -> str:
    dictionary = load_dictionary()
    lines = ["secteur,taille,departement,n_entreprises"]
    for sector in dictionary.sectors:
        for size in dictionary.size_classes:
            for dep in deps:
                lines.append(f"{sector},{size},{dep.code},")
    return "\n".join(lines) + "\n"


MARGINS_README = """# Marges de population

`population.csv` donne, pour chaque secteur × taille × département, le **nombre d'entreprises**
de la population étudiée (colonne `n_entreprises`). La pondération redresse l'échantillon des
répondants sur ces effectifs : une cellule vide ou fausse donne des résultats faux.

## Où trouver les effectifs officiels

- **INSEE, base Sirene** (données ouvertes, « Base Sirene des entreprises et de leurs
  établissements ») : établissements actifs par code APE (NAF rév. 2), tranche d'effectif
  salarié et commune — à agréger par secteur (codes NAF du secteur dans `study.toml`), classe de
  taille et département.
- **URSSAF, données ouvertes** (« Nombre d'établissements employeurs et effectifs salariés par
  secteur d'activité et par département ») : établissements employeurs par code APE et
  département, publiés chaque année.
- Classes de taille (effectif salarié) : TPE 0–9, PME 10–249, ETI 250–4 999, GE 5 000 et plus.

Indiquez dans ce fichier la source et la date des effectifs utilisés : le rapport les cite dans
son annexe méthodologique.
"""


def _readme(region: str) -> str:
    return f"""# Observatoire de l'IA et des compétences — {region}

Ce dossier est une étude iaobs. Pour produire les rapports :

1. Complétez `data/reference/population.csv` (nombre d'entreprises par secteur, taille et
   département ; voir `data/reference/LISEZMOI.md`).
2. Déposez les réponses dans `data/raw/` : soit le modèle de saisie `modele_saisie.xlsx`
   rempli, soit l'export de votre outil d'enquête (LimeSurvey, Google Forms, KoboToolbox,
   SurveyMonkey, Sphinx, ou tout CSV / classeur, même compressé en .zip, .gz, .bz2, .xz).
   Pour un export qui n'est pas le modèle : `iaobs map suggest data/raw/<export>
   --output correspondance.yaml`, complétez les seules lignes marquées « À COMPLÉTER », puis
   déclarez l'export dans `study.toml` (`[[sources]]`, `profile = "correspondance.yaml"`).
3. Vérifiez l'étude : `iaobs validate` dans ce dossier (rien n'est écrit ; configuration,
   marges, correspondances et données en une fois, chaque problème avec sa correction, le
   fichier, la feuille, la ligne et la colonne).
4. Pour l'annuaire des acteurs de l'IA : déposez l'extrait SIRENE de la vague dans
   `data/reference/sirene/<vague>/` et tenez la liste `data/reference/acteurs/acteurs.csv`
   (voir son `LISEZMOI.md`) ; `iaobs validate` la vérifie avec le reste de l'étude.
5. Lancez `iaobs run` dans ce dossier. Les rapports sont écrits dans `reports/<vague>/` ; la
   page `reports/<vague>/index.html` les présente tous.

Ne modifiez jamais les fichiers de `data/raw/` à la main : les corrections se font par
`study.toml` ou par un fichier de correspondance, pour que l'étude reste reproductible.
"""


def init_study(
    directory: str | Path,
    *,
    region: str,
    departements: str | None = None,
    language: str = "fr",
    wave: str = "2025",
) -> list[Path]:
    """Create a new study folder; returns the files written.

    Parameters
    ----------
    directory
        The folder to create (it may exist but must not already hold a ``study.toml``).
    region
        The region's name, printed on every report.
    departements
        Comma-separated département codes; by default those of ``region`` when it is one of the
        French regions.
    language
        ``fr`` or ``en``: language of the reports.
    """
    root = Path(directory)
    if (root / "study.toml").exists():
        raise ConfigError(
            f"une étude existe déjà dans « {root} »",
            hint="choisissez un dossier vide, ou modifiez son study.toml",
        )
    if language not in ("fr", "en"):
        raise ConfigError(f"langue inconnue « {language} » : fr ou en")
    if not region.strip():
        raise ConfigError("le nom de la région est vide")
    deps = _parse_departements(departements) if departements else departements_of_region(region)
    if not deps:
        raise ConfigError(
            f"départements de « {region} » inconnus",
            hint="donnez-les avec --departements 09,11,31",
        )
    written = [
        write_text(root / "study.toml", _study_toml(region.strip(), wave, language, deps)),
        write_text(root / "README.md", _readme(region.strip())),
        write_text(root / "data" / "reference" / "population.csv", _margins_csv(deps)),
        write_text(root / "data" / "reference" / "LISEZMOI.md", MARGINS_README),
    ]
    written += write_actors_template(root / "data" / "reference" / "acteurs")
    (root / "data" / "reference" / "sirene" / wave).mkdir(parents=True, exist_ok=True)
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    study = load_study(root)
    written.append(write_template(root / "modele_saisie.xlsx", study.dictionary, language=language))
    return written
