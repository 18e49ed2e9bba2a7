"""The ``iaobs`` command line.

Exit codes: 0 success; 1 bad input or configuration (one clear message, no traceback);
2 usage error; 3 some reports failed while others were written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iaobs import __version__
from iaobs.errors import IaobsError

if TYPE_CHECKING:
    from iaobs.study.config import Study

__all__ = ["main"]

EPILOG_RUN = """exemple :
  iaobs run                 # l'étude du dossier courant (par défaut : l'étude exemple)
  iaobs run ../occitanie    # une autre étude
"""


def _study(path: str) -> Study:
    from iaobs.study.config import load_study

    return load_study(path)


def _study_for_run(args: argparse.Namespace) -> Any:
    """Load the study and hold its lock until the command ends.

    Under the lock, what a killed run may have left (temporary files, the report staging
    folder) is removed first: no other run can be using it.
    """
    from iaobs.core.atomic import remove_temporaries, study_lock

    study = _study(args.study)
    args.held.enter_context(study_lock(study.root))
    remove_temporaries(study.processed_dir)
    remove_temporaries(study.reports_dir, staging=".staging")
    return study


def _print(message: str = "") -> None:
    print(message, flush=True)


def _report_failed_files(result: Any) -> int:
    """One line on stderr per source file that could not be read; 1 when there is any.

    The other files of the study are processed and written all the same: a bad file never
    hides the others, but the exit code tells a script that the study is incomplete.
    """
    failed = [f for f in result.quality.get("files", []) if f.get("status") != "ok"]
    for entry in failed:
        print(f"iaobs : erreur : {entry['message']}", file=sys.stderr, flush=True)
    return 1 if failed else 0


# --------------------------------------------------------------------------------------------
# Commands


def cmd_sample(args: argparse.Namespace) -> int:
    from iaobs.tools.sample import write_sample_study

    written = write_sample_study(Path(args.output), seed=args.seed, n_companies=args.companies)
    _print(f"Étude exemple écrite dans {Path(args.output).resolve()} ({len(written)} fichiers) :")
    for path in written:
        _print(f"  {path}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from iaobs.study.dictionary import load_dictionary
    from iaobs.tools.template import write_template

    dictionary = _study(args.study).dictionary if args.study else load_dictionary("entreprises")
    path = write_template(Path(args.output), dictionary, language=args.language)
    _print(f"Modèle de saisie écrit : {path}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from iaobs.pipeline.clean import print_validation, validate_files

    study = _study(args.study) if args.study else None
    findings, summary = validate_files(
        [Path(p) for p in args.files], study=study, profile=args.profile, sector=args.sector
    )
    blocking = print_validation(findings, summary, language=args.language)
    for entry in summary.get("files", []):
        if entry.get("status") != "ok":
            print(f"iaobs : erreur : {entry['message']}", file=sys.stderr, flush=True)
    return 1 if blocking else 0


def cmd_clean(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    from iaobs.pipeline.clean import clean_study, print_quality

    result = clean_study(study)
    print_quality(result, study)
    return _report_failed_files(result)


def cmd_estimate(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    from iaobs.stats.estimate import compute_study_indicators

    path = compute_study_indicators(study)
    _print(f"Indicateurs : {path}")
    _evolution(study)
    return 0


def _evolution(study: Any) -> None:
    """The evolution table of a study with two waves or more (other waves prepared first)."""
    if len(study.all_waves) < 2:
        return
    from iaobs.reports.kinds.comparison import compute_evolution

    path = compute_evolution(study, echo=_print)
    if path is not None:
        _print(f"Évolution entre les vagues {', '.join(study.all_waves)} : {path}")


def cmd_compare(args: argparse.Namespace) -> int:
    from iaobs.reports.kinds.comparison import render_comparison

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    outputs = render_comparison(
        args.studies, args.output, language=args.language or "", formats=formats
    )
    folder = Path(next(iter(outputs.values()))).parent
    _print(f"Rapport de comparaison : {folder}")
    for fmt, path in outputs.items():
        _print(f"  {fmt} : {path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    from iaobs.render import render_study

    summary = render_study(
        study,
        only=args.only or None,
        formats=tuple(f.strip() for f in args.format.split(",") if f.strip()),
        jobs=args.jobs,
        force=args.force,
        progress=not args.quiet,
    )
    return summary.exit_code


def cmd_run(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    from iaobs.pipeline.clean import clean_study, print_quality

    result = clean_study(study)
    print_quality(result, study)
    input_code = _report_failed_files(result)
    try:
        from iaobs.stats.estimate import compute_study_indicators
    except ImportError:  # statistics engine not installed in this build
        return input_code
    path = compute_study_indicators(study)
    _print(f"Indicateurs : {path}")
    _evolution(study)
    try:
        from iaobs.render import render_study
    except ImportError:
        return input_code
    summary = render_study(
        study,
        only=args.only or None,
        formats=tuple(f.strip() for f in args.format.split(",") if f.strip()),
        jobs=args.jobs,
        force=args.force,
        progress=not args.quiet,
    )
    return input_code or summary.exit_code


def cmd_init(args: argparse.Namespace) -> int:
    from iaobs.tools.scaffold import init_study

    written = init_study(
        Path(args.directory),
        region=args.region,
        departements=args.departements,
        language=args.language,
        wave=args.wave,
    )
    _print(f"Nouvelle étude « {args.region} » créée dans {Path(args.directory).resolve()} :")
    for path in written:
        _print(f"  {path}")
    _print("Étapes suivantes : voir README.md dans ce dossier.")
    return 0


def cmd_map_suggest(args: argparse.Namespace) -> int:
    from iaobs.study.dictionary import load_dictionary
    from iaobs.ingest.profiles.mapping import write_mapping_suggestion

    dictionary = _study(args.study).dictionary if args.study else load_dictionary("entreprises")
    source = Path(args.file)
    output = Path(args.output) if args.output else source.with_name(f"{source.stem}.mapping.yaml")
    path, profile, todo = write_mapping_suggestion(
        source, output, dictionary, profile=args.profile, sheet=args.sheet
    )
    _print(f"Fichier de correspondance proposé (profil {profile}) : {path}")
    if todo:
        _print(
            f"{todo} entrée(s) marquée(s) « À COMPLÉTER » : complétez-les, puis lancez "
            f"« iaobs validate {source} --profile {path} »."
        )
    return 0


# --------------------------------------------------------------------------------------------
# Parser


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SLUG",
        help="ne produire que ces rapports (ex. banque synthese-regionale)",
    )
    parser.add_argument(
        "--format",
        default="html,pdf,xlsx",
        help="formats à produire, séparés par des virgules (défaut : html,pdf,xlsx)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="rapports produits en parallèle (défaut : nombre de cœurs)",
    )
    parser.add_argument(
        "--force", action="store_true", help="tout reconstruire, même ce qui n'a pas changé"
    )
    parser.add_argument("--quiet", action="store_true", help="sans barre de progression")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iaobs",
        description="Observatoire régional de l'IA et des compétences : des tableurs d'enquête aux rapports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"iaobs {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    def add(name: str, help_: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"exemple :\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = add(
        "run",
        "tout faire : nettoyer, pondérer, estimer, produire chaque rapport",
        "iaobs run ../occitanie",
    )
    p.add_argument(
        "study", nargs="?", default=".", help="dossier de l'étude (défaut : dossier courant)"
    )
    _add_report_options(p)
    p.set_defaults(func=cmd_run)

    p = add(
        "sample",
        "écrire l'étude exemple synthétique (valeurs vraies connues)",
        "iaobs sample --output .",
    )
    p.add_argument(
        "--output", default=".", help="dossier de l'étude à écrire (défaut : dossier courant)"
    )
    p.add_argument("--seed", type=int, default=2019, help="graine aléatoire (défaut : 2019)")
    p.add_argument(
        "--companies",
        type=int,
        default=1500,
        help="nombre d'entreprises répondantes (défaut : 1500)",
    )
    p.set_defaults(func=cmd_sample)

    p = add(
        "template",
        "écrire le modèle Excel de saisie (listes déroulantes, dictionnaire, consignes)",
        "iaobs template --output modele.xlsx",
    )
    p.add_argument("--output", default="modele_saisie_iaobs.xlsx", help="fichier à écrire")
    p.add_argument("--language", choices=("fr", "en"), default="fr")
    p.add_argument("--study", default=None, help="dossier d'une étude (ses secteurs et libellés)")
    p.set_defaults(func=cmd_template)

    p = add(
        "validate",
        "vérifier des fichiers par rapport au dictionnaire, sans rien écrire",
        "iaobs validate data/raw/banque.xlsx",
    )
    p.add_argument("files", nargs="+", help="fichiers à vérifier (xlsx, xls, ods, csv)")
    p.add_argument("--study", default=None, help="dossier de l'étude (ses secteurs)")
    p.add_argument(
        "--profile", default="template", help="profil d'export (template, limesurvey, …)"
    )
    p.add_argument("--sector", default=None, help="secteur déclaré du fichier")
    p.add_argument("--language", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_validate)

    p = add(
        "clean", "données brutes → données traitées, rejets et rapport de qualité", "iaobs clean"
    )
    p.add_argument("study", nargs="?", default=".", help="dossier de l'étude")
    p.set_defaults(func=cmd_clean)

    p = add("estimate", "pondérer et calculer la table des indicateurs", "iaobs estimate")
    p.add_argument("study", nargs="?", default=".", help="dossier de l'étude")
    p.set_defaults(func=cmd_estimate)

    p = add(
        "report",
        "produire les rapports à partir des données traitées",
        "iaobs report --only banque --format html,pdf",
    )
    p.add_argument("study", nargs="?", default=".", help="dossier de l'étude")
    _add_report_options(p)
    p.set_defaults(func=cmd_report)

    p = add(
        "compare",
        "comparer des études (régions) : indicateurs communs côte à côte, écarts significatifs",
        "iaobs compare ../hauts-de-france ../occitanie --output reports/comparaison",
    )
    p.add_argument(
        "studies",
        nargs="+",
        metavar="ETUDE",
        help="dossiers des études (au moins deux, déjà estimées par « iaobs run »)",
    )
    p.add_argument(
        "--output",
        default=None,
        help="dossier du rapport (défaut : reports/comparaison/ dans le dossier courant)",
    )
    p.add_argument(
        "--format",
        default="html,pdf,xlsx",
        help="formats à produire, séparés par des virgules (défaut : html,pdf,xlsx)",
    )
    p.add_argument(
        "--language",
        choices=("fr", "en"),
        default=None,
        help="langue du rapport (défaut : celle de la première étude)",
    )
    p.set_defaults(func=cmd_compare)

    p = add(
        "init",
        "créer une nouvelle étude régionale (dossier, study.toml, modèle, marges)",
        'iaobs init ../occitanie --region "Occitanie"',
    )
    p.add_argument("directory", help="dossier de la nouvelle étude")
    p.add_argument("--region", required=True, help="nom de la région")
    p.add_argument(
        "--departements",
        default=None,
        help="codes des départements, séparés par des virgules (défaut : ceux de la région)",
    )
    p.add_argument("--language", choices=("fr", "en"), default="fr", help="langue des rapports")
    p.add_argument("--wave", default="2025", help="vague d'enquête (défaut : 2025)")
    p.set_defaults(func=cmd_init)

    p = add(
        "map",
        "fichiers de correspondance pour les exports d'outils d'enquête",
        "iaobs map suggest data/raw/export_limesurvey.csv",
    )
    map_sub = p.add_subparsers(dest="map_command", metavar="ACTION", required=True)
    p = map_sub.add_parser(
        "suggest",
        help="proposer un fichier de correspondance (YAML) pour un export, à compléter",
        description="proposer un fichier de correspondance (YAML) pour un export : colonnes et "
        "réponses rapprochées du dictionnaire, « À COMPLÉTER » là où rien n'est reconnu",
        epilog="exemple :\n  iaobs map suggest data/raw/enquete_limesurvey.csv --output data/raw/enquete.yaml\n"
        '  puis, dans study.toml : profile = "data/raw/enquete.yaml"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="l'export de l'outil d'enquête (csv, xlsx…)")
    p.add_argument(
        "--output",
        default=None,
        help="fichier YAML à écrire (défaut : <export>.mapping.yaml à côté de l'export)",
    )
    p.add_argument(
        "--profile",
        default=None,
        choices=("template", "limesurvey", "google-forms", "kobo", "surveymonkey", "sphinx"),
        help="outil d'enquête (défaut : détecté d'après les colonnes)",
    )
    p.add_argument("--sheet", default=None, help="feuille à lire (défaut : détectée)")
    p.add_argument("--study", default=None, help="dossier d'une étude (ses secteurs et libellés)")
    p.set_defaults(func=cmd_map_suggest)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with contextlib.ExitStack() as held:
            args.held = held
            return int(args.func(args) or 0)
    except IaobsError as exc:
        print(f"iaobs : erreur : {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("iaobs : interrompu", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("IAOBS_DEBUG"):
            raise
        print(
            f"iaobs : erreur interne ({type(exc).__name__} : {exc}). "
            "Relancez avec IAOBS_DEBUG=1 pour le détail, et signalez-la.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
