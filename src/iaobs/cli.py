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
from typing import Any

from iaobs.core.atomic import remove_temporaries, study_lock
from iaobs.core.contract import SURVEY_TOOLS
from iaobs.core.text import format_decimal, format_number, format_percent
from iaobs.core.version import __version__
from iaobs.errors import ConfigError, IaobsError
from iaobs.pipeline.frame import describe_frame, frame_stage
from iaobs.pipeline.run import (
    StageResult,
    actors_stage,
    audit_release,
    clean_stage,
    estimate_stage,
    evolution_stage,
)
from iaobs.study.config import Study, load_study
from iaobs.study.dictionary import load_dictionary

# The commands' own modules are imported when the command runs (marked ``# lazy``): pandas,
# matplotlib, WeasyPrint and papermill cost seconds to import, and ``iaobs --help`` or an
# unchanged ``iaobs run`` need none of them.

__all__ = ["main"]

EPILOG_RUN = """exemple :
  iaobs run                 # l'étude du dossier courant (par défaut : l'étude exemple)
  iaobs run ../occitanie    # une autre étude
"""


def _study(path: str) -> Study:
    return load_study(path)


def _study_for_run(args: argparse.Namespace) -> Any:
    """Load the study and hold its lock until the command ends.

    Under the lock, what a killed run may have left (temporary files, the report staging
    folder) is removed first: no other run can be using it.
    """
    study = _study(args.study)
    args.held.enter_context(study_lock(study.root))
    remove_temporaries(study.processed_dir)
    remove_temporaries(study.reports_dir, staging=".staging")
    return study


def _print(message: str = "") -> None:
    print(message, flush=True)


def _report_failed_files(quality: dict[str, Any]) -> int:
    """One line on stderr per source file that could not be read; 1 when there is any.

    The other files of the study are processed and written all the same: a bad file never
    hides the others, but the exit code tells a script that the study is incomplete.
    """
    failed = [f for f in quality.get("files", []) if f.get("status") != "ok"]
    for entry in failed:
        print(f"iaobs : erreur : {entry['message']}", file=sys.stderr, flush=True)
    return 1 if failed else 0


# --------------------------------------------------------------------------------------------
# Commands


def cmd_sample(args: argparse.Namespace) -> int:
    from iaobs.tools.sample import write_sample_study  # lazy: numpy and pandas

    written = write_sample_study(Path(args.output), seed=args.seed, n_companies=args.companies)
    _print(f"Étude exemple écrite dans {Path(args.output).resolve()} ({len(written)} fichiers) :")
    for path in written:
        _print(f"  {path}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from iaobs.tools.template import write_template  # lazy: xlsxwriter

    dictionary = _study(args.study).dictionary if args.study else load_dictionary("entreprises")
    path = write_template(Path(args.output), dictionary, language=args.language)
    _print(f"Modèle de saisie écrit : {path}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from iaobs.pipeline.validate import check_study, print_checks, study_folder  # lazy: pandas

    folder = study_folder(args.study)
    if folder is None and not args.files:
        print(
            "iaobs : erreur : aucun fichier à vérifier — lancez la commande dans le dossier "
            "de l'étude (qui contient study.toml), ou donnez --study ou des fichiers",
            file=sys.stderr,
            flush=True,
        )
        return 2
    checks = check_study(
        folder, [Path(p) for p in args.files], profile=args.profile, sector=args.sector
    )
    return 1 if print_checks(checks, language=args.language) else 0


def _print_clean(result: StageResult, study: Study) -> int:
    if result.ran:
        from iaobs.pipeline.clean import print_quality  # lazy: pandas (not on the rerun path)

        print_quality(result.quality, study)
    else:
        _print("Nettoyage : sources inchangées depuis le dernier passage (rien à refaire).")
    return _report_failed_files(result.quality)


def _print_estimate(result: StageResult, study: Study) -> None:
    path = result.outputs["indicators"]
    _print(f"Indicateurs : {path}" if result.ran else f"Indicateurs : inchangés ({path})")
    evolution = evolution_stage(study, echo=_print)
    if evolution is not None:
        _print(f"Évolution entre les vagues {', '.join(study.all_waves)} : {evolution}")


def _print_actors(result: StageResult) -> None:
    if not result.outputs:
        return
    paths = ", ".join(str(p) for p in result.outputs.values())
    _print(f"Acteurs de l'IA : {paths}" if result.ran else f"Acteurs de l'IA : inchangés ({paths})")


def cmd_clean(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    return _print_clean(clean_stage(study, force=True), study)


def cmd_estimate(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    _print_estimate(estimate_stage(study, force=True), study)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from iaobs.render.comparison import render_comparison  # lazy: pandas and the renderer

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    outputs = render_comparison(
        args.studies, args.output, language=args.language or "", formats=formats
    )
    folder = Path(next(iter(outputs.values()))).parent
    _print(f"Rapport de comparaison : {folder}")
    for fmt, path in outputs.items():
        _print(f"  {fmt} : {path}")
    return 0


def _render(study: Study, args: argparse.Namespace) -> int:
    from iaobs.render import render_study  # lazy: the report runner

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    summary = render_study(
        study,
        only=args.only or None,
        formats=formats,
        jobs=args.jobs,
        force=args.force,
        progress=not args.quiet,
    )
    if not args.only and not summary.exit_code:  # the release audit on every published file
        audit_release(study, formats=formats, jobs=args.jobs)
    return summary.exit_code


def cmd_report(args: argparse.Namespace) -> int:
    return _render(_study_for_run(args), args)


def _print_frame(study: Study, force: bool) -> None:
    """The frame stage of the main job (margins from SIRENE), when ``[frame]`` names the files."""
    stage = frame_stage(study, force=force)
    if stage.result is not None:
        _print(f"Base de sondage : {describe_frame(stage.result)[0]}")
    elif stage.outputs:
        _print("Base de sondage : fichiers Sirene inchangés depuis le dernier passage.")


def cmd_run(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    _print_frame(study, args.force)
    cleaned = clean_stage(study, force=args.force)
    input_code = _print_clean(cleaned, study)
    _print_estimate(estimate_stage(study, force=args.force or cleaned.ran), study)
    _print_actors(actors_stage(study, force=args.force))
    return input_code or _render(study, args)


def cmd_init(args: argparse.Namespace) -> int:
    from iaobs.tools.scaffold import init_study  # lazy: the scaffold and its data

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
    from iaobs.tools.suggest import write_mapping_suggestion  # lazy: pandas

    dictionary = _study(args.study).dictionary if args.study else load_dictionary("entreprises")
    source = Path(args.file)
    output = Path(args.output) if args.output else source.with_name(f"{source.stem}.mapping.yaml")
    path, profile, todo = write_mapping_suggestion(
        source, output, dictionary, profile=args.profile, sheet=args.sheet
    )
    _print(f"Fichier de correspondance proposé (profil {profile}) : {path}")
    if todo:
        marked = "entrée marquée" if todo == 1 else "entrées marquées"
        _print(
            f"{todo} {marked} « À COMPLÉTER » : complétez-les (et elles seules), déclarez "
            f'l\'export dans study.toml (profile = "{path.name}"), puis lancez « iaobs '
            f"validate » dans le dossier de l'étude (ou « iaobs validate {source} --profile "
            f"{path} »)."
        )
    return 0


# --------------------------------------------------------------------------------------------
# Parser


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in ("html", "pdf")]
    if unknown:
        raise ConfigError(f"format inconnu « {unknown[0]} »", hint="formats : html, pdf")
    return formats


def cmd_frame(args: argparse.Namespace) -> int:
    study = _study_for_run(args)
    stage = frame_stage(study, force=True, required=True)
    for line in describe_frame(stage.result):  # type: ignore[arg-type]
        _print(line)
    _print(f"Marges : {stage.outputs['margins']}")
    _print(f"Exclusions par motif : {stage.outputs['exclusions']}")
    _print(f"Base de sondage (confidentielle) : {stage.outputs['frame']}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from iaobs.pipeline.frame import plan_study  # lazy: pandas

    study = _study_for_run(args)
    plan, written = plan_study(
        study,
        precision=args.precision,
        response_rate=args.response_rate,
        formats=_formats(args.format),
    )
    _print(f"{format_number(plan.total)} entreprises à interroger ({len(plan.strata)} strates).")
    for row in plan.domains.itertuples(index=False):
        state = "  (cible inatteignable : recensement)" if row.atteinte is False else ""
        width = format_decimal(row.demi_largeur_attendue * 100, decimals=1)
        _print(
            f"  {row.domaine} : {format_number(row.n_tirage)} à interroger, "
            f"± {width} points attendus{state}"
        )
    for path in written:
        _print(f"Écrit : {path}")
    return 0


def cmd_draw(args: argparse.Namespace) -> int:
    from iaobs.pipeline.frame import draw_study  # lazy: numpy and pandas

    study = _study_for_run(args)
    sample, path = draw_study(study, seed=args.seed)
    principal = int((sample["statut"] == "principal").sum())
    _print(
        f"Échantillon tiré (graine {args.seed}) : {principal} entreprises et "
        f"{len(sample) - principal} en réserve."
    )
    _print(f"Liste de contacts (confidentielle) : {path}")
    return 0


def cmd_suivi(args: argparse.Namespace) -> int:
    from iaobs.pipeline.frame import suivi_study  # lazy: pandas and the readers

    study = _study_for_run(args)
    fieldwork, written = suivi_study(study, formats=_formats(args.format))
    o = fieldwork.overall
    _print(
        f"{format_number(o['repondants'])} répondants sur {format_number(o['lances'])} "
        f"entreprises sollicitées : RR1 {format_percent(o['rr1'], decimals=1)}, "
        f"RR2 {format_percent(o['rr2'], decimals=1)}, "
        f"indicateur R {format_decimal(fieldwork.r_indicator, decimals=2)}."
    )
    for row in fieldwork.reminders.itertuples(index=False):
        _print(
            f"  à relancer ({int(row.priorite)}) : {row.secteur} × {row.taille}, "
            f"{int(row.ecart)} répondant(s) manquant(s)"
        )
    for alert in fieldwork.alerts:
        print(f"iaobs : attention : {alert}", file=sys.stderr, flush=True)
    for path in written:
        _print(f"Écrit : {path}")
    return 0


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


def _add(sub: Any, name: str, help_: str, example: str) -> argparse.ArgumentParser:
    """A subcommand whose help shows one example."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_,
        description=help_,
        epilog=f"exemple :\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _add_study_command(
    sub: Any, name: str, help_: str, example: str, func: Any, *, formats: str | None = None
) -> argparse.ArgumentParser:
    """A subcommand working on one study folder (the current one by default)."""
    parser = _add(sub, name, help_, example)
    parser.add_argument("study", nargs="?", default=".", help="dossier de l'étude")
    if formats is not None:
        parser.add_argument(
            "--format", default=formats, help=f"{formats.replace(',', ', ')} (défaut : {formats})"
        )
    parser.set_defaults(func=func)
    return parser


def _parser_run(sub: Any) -> None:
    p = _add(
        sub,
        "run",
        "tout faire : nettoyer, pondérer, estimer, produire chaque rapport",
        "iaobs run ../occitanie",
    )
    p.add_argument(
        "study", nargs="?", default=".", help="dossier de l'étude (défaut : dossier courant)"
    )
    _add_report_options(p)
    p.set_defaults(func=cmd_run)


def _parser_sample(sub: Any) -> None:
    p = _add(
        sub,
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


def _parser_template(sub: Any) -> None:
    p = _add(
        sub,
        "template",
        "écrire le modèle Excel de saisie (listes déroulantes, dictionnaire, consignes)",
        "iaobs template --output modele.xlsx",
    )
    p.add_argument("--output", default="modele_saisie_iaobs.xlsx", help="fichier à écrire")
    p.add_argument("--language", choices=("fr", "en"), default="fr")
    p.add_argument("--study", default=None, help="dossier d'une étude (ses secteurs et libellés)")
    p.set_defaults(func=cmd_template)


def _parser_validate(sub: Any) -> None:
    p = _add(
        sub,
        "validate",
        "vérifier une étude (configuration, marges, correspondances, données) ou des "
        "fichiers, sans rien écrire",
        "iaobs validate   (dans le dossier de l'étude : toutes ses sources déclarées)",
    )
    p.add_argument(
        "files",
        nargs="*",
        help="fichiers à vérifier (xlsx, xls, ods, csv, compressés ; un .yaml est vérifié comme "
        "fichier de correspondance) ; par défaut, les sources déclarées dans study.toml",
    )
    p.add_argument(
        "--study",
        default=None,
        help="dossier de l'étude (défaut : le dossier courant s'il contient study.toml)",
    )
    p.add_argument(
        "--profile", default="template", help="profil d'export (template, limesurvey, …)"
    )
    p.add_argument("--sector", default=None, help="secteur déclaré du fichier")
    p.add_argument("--language", choices=("fr", "en"), default="fr")
    p.set_defaults(func=cmd_validate)


def _parser_clean(sub: Any) -> None:
    _add_study_command(
        sub,
        "clean",
        "données brutes → données traitées, rejets et rapport de qualité",
        "iaobs clean",
        cmd_clean,
    )


def _parser_estimate(sub: Any) -> None:
    _add_study_command(
        sub,
        "estimate",
        "pondérer et calculer la table des indicateurs",
        "iaobs estimate",
        cmd_estimate,
    )


def _parser_report(sub: Any) -> None:
    p = _add_study_command(
        sub,
        "report",
        "produire les rapports à partir des données traitées",
        "iaobs report --only banque --format html,pdf",
        cmd_report,
    )
    _add_report_options(p)


def _parser_compare(sub: Any) -> None:
    p = _add(
        sub,
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


def _parser_init(sub: Any) -> None:
    p = _add(
        sub,
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


def _parser_map(sub: Any) -> None:
    p = _add(
        sub,
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
        choices=SURVEY_TOOLS,
        help="outil d'enquête (défaut : détecté d'après les colonnes)",
    )
    p.add_argument("--sheet", default=None, help="feuille à lire (défaut : détectée)")
    p.add_argument("--study", default=None, help="dossier d'une étude (ses secteurs et libellés)")
    p.set_defaults(func=cmd_map_suggest)


def _parser_frame(sub: Any) -> None:
    _add_study_command(
        sub,
        "frame",
        "base de sondage et marges de population à partir des fichiers Sirene de l'INSEE",
        "iaobs frame",
        cmd_frame,
    )


def _parser_plan(sub: Any) -> None:
    p = _add_study_command(
        sub,
        "plan",
        "plan de sondage : combien d'entreprises interroger par strate, et la précision attendue",
        "iaobs plan --precision 0.05 --response-rate 0.3",
        cmd_plan,
        formats="html,pdf",
    )
    p.add_argument(
        "--precision",
        type=float,
        default=None,
        help="demi-largeur visée de l'intervalle à 95 %% par secteur (défaut : [plan] precision)",
    )
    p.add_argument(
        "--response-rate",
        type=float,
        default=None,
        help="taux de réponse attendu (défaut : [plan] response_rate)",
    )


def _parser_draw(sub: Any) -> None:
    p = _add_study_command(
        sub,
        "draw",
        "tirer l'échantillon du plan (aléatoire simple stratifié, avec réserve)",
        "iaobs draw --seed 2025",
        cmd_draw,
    )
    p.add_argument("--seed", type=int, required=True, help="graine (le même tirage à chaque fois)")


def _parser_suivi(sub: Any) -> None:
    _add_study_command(
        sub,
        "suivi",
        "suivi du terrain : taux de réponse par strate, représentativité, strates à relancer",
        "iaobs suivi",
        cmd_suivi,
        formats="html,pdf",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iaobs",
        description="Observatoire régional de l'IA et des compétences : des tableurs d'enquête aux rapports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"iaobs {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    for add_command in (
        _parser_run,
        _parser_sample,
        _parser_template,
        _parser_validate,
        _parser_clean,
        _parser_estimate,
        _parser_report,
        _parser_compare,
        _parser_init,
        _parser_map,
        _parser_frame,
        _parser_plan,
        _parser_draw,
        _parser_suivi,
    ):
        add_command(sub)
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
