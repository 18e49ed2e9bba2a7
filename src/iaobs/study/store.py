"""Every path of a study folder, named once.

The stages never spell a file name: they ask the store. A study folder holds

```
study.toml
data/raw/                 the sources as received (never written)
data/reference/           population margins (and the sampling plan)
data/private/             confidential files (sampling frame, contact lists); never published
data/processed/           what the stages write (this module's :class:`Processed`)
data/processed/waves/<w>/ the processed files of an earlier wave
reports/<wave>/           the published reports
.iaobs-cache/             stage states, the report cache and the build folder (deleted by
                          ``make clean``): build/<wave>/<slug>/ holds each report's executed
                          notebook and log, never published
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iaobs.core.resources import package_path

__all__ = ["CACHE_DIRNAME", "Processed", "Store"]

CACHE_DIRNAME = ".iaobs-cache"


@dataclass(frozen=True)
class Processed:
    """The files of one processed folder (``data/processed/`` or one of its waves)."""

    folder: Path

    @property
    def responses(self) -> Path:
        """Accepted company responses, one row per firm (parquet)."""
        return self.folder / "responses.parquet"

    @property
    def formation(self) -> Path:
        """Accepted pilot-training responses, one row per participant × wave (parquet)."""
        return self.folder / "formation.parquet"

    @property
    def rejects(self) -> Path:
        """Rejected source rows with their reasons (CSV)."""
        return self.folder / "rejects.csv"

    @property
    def findings(self) -> Path:
        """Every data-quality finding (CSV)."""
        return self.folder / "findings.csv"

    @property
    def quality(self) -> Path:
        """Counts read / kept / rejected and findings by rule (JSON)."""
        return self.folder / "quality.json"

    @property
    def indicators(self) -> Path:
        """The indicators table (parquet)."""
        return self.folder / "indicators.parquet"

    @property
    def weighting(self) -> Path:
        """How the weights were made (JSON)."""
        return self.folder / "weighting.json"

    @property
    def evolution(self) -> Path:
        """Each main indicator by wave, with the difference and its test (parquet)."""
        return self.folder / "evolution.parquet"

    @property
    def contrasts(self) -> Path:
        """Domains against the rest of the region: differences and their tests (parquet)."""
        return self.folder / "contrasts.parquet"

    @property
    def secret_cells(self) -> Path:
        """Every cell's true value, base and relations for the release audit (parquet; never
        published)."""
        return self.folder / "secret-cellules.parquet"

    @property
    def actors(self) -> Path:
        """The directory of the region's AI actors at this wave, non-diffusible units without
        name or place (parquet)."""
        return self.folder / "acteurs.parquet"

    @property
    def microdata(self) -> Path:
        """Weighted microdata for analysts, CSV, Stata and SPSS (internal folder)."""
        return self.folder / "microdonnees"

    @property
    def reproduce_script(self) -> Path:
        """The R script that recomputes the indicators from the microdata (``survey``)."""
        return self.folder / "reproduire.R"

    def wave(self, wave: str) -> Processed:
        """The processed folder of another wave, kept below this one."""
        return Processed(self.folder / "waves" / wave)


@dataclass(frozen=True)
class Store:
    """The folders and files of one study at one wave.

    Parameters
    ----------
    root
        The study folder (where ``study.toml`` is).
    wave
        The wave whose reports are written (``reports/<wave>/``).
    processed_subdir
        ``""`` for the study's own wave, ``"waves/<wave>"`` for an earlier wave.
    """

    root: Path
    wave: str
    processed_subdir: str = ""

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def action_rules(self) -> Path:
        """The observatory's rules choosing the « pistes d'action » of company reports (YAML)."""
        return self.reference_dir / "pistes_action.yaml"

    @property
    def training_catalogue(self) -> Path:
        """The training fund's catalogue of offers the « pistes d'action » point to (CSV)."""
        return self.reference_dir / "catalogue_formations.csv"

    @staticmethod
    def shipped_action_rules() -> Path:
        """The « pistes d'action » rules shipped with iaobs (a model for a study's own)."""
        return package_path("data", "pistes_action.yaml")

    @property
    def action_rules_in_use(self) -> Path:
        """The rules the company reports apply: the study's file, else the shipped ones."""
        return self.action_rules if self.action_rules.is_file() else self.shipped_action_rules()

    @property
    def company_report_inputs(self) -> tuple[Path, ...]:
        """The reference files a company report reads besides the processed data: the rules
        in use and the study's training catalogue (part of the company reports' cache key)."""
        return (self.action_rules_in_use, self.training_catalogue)

    @property
    def private_dir(self) -> Path:
        """Confidential files (frame, contact lists): never under ``reports/``."""
        return self.root / "data" / "private"

    @property
    def population(self) -> Path:
        """The population margins ``iaobs frame`` writes (unless ``[population] margins`` names
        another file)."""
        return self.reference_dir / "population.csv"

    @property
    def frame_exclusions(self) -> Path:
        """What ``iaobs frame`` left out of the frame, by reason (counts only, CSV)."""
        return self.reference_dir / "population-exclusions.csv"

    @property
    def plan(self) -> Path:
        """The sample's allocation by stratum (``iaobs plan``, CSV)."""
        return self.reference_dir / "plan.csv"

    @property
    def plan_domains(self) -> Path:
        """Expected respondents and half-widths by publication domain (``iaobs plan``, CSV)."""
        return self.reference_dir / "plan-domaines.csv"

    def plan_report(self, suffix: str) -> Path:
        """The design report of ``iaobs plan`` (``.html`` or ``.pdf``)."""
        return self.reference_dir / f"plan-de-sondage{suffix}"

    @property
    def sampling_frame(self) -> Path:
        """The confidential sampling frame (``iaobs frame``): one row per firm, names included."""
        return self.private_dir / "base-de-sondage.csv"

    @property
    def sample(self) -> Path:
        """The drawn sample with its reserves, the contact list (``iaobs draw``, confidential)."""
        return self.private_dir / "echantillon.csv"

    @property
    def dispositions(self) -> Path:
        """The fieldwork outcome of contacted units kept by the team (optional, confidential):
        ``siren, disposition`` (refus, non_contact, hors_champ, injoignable, autre)."""
        return self.private_dir / "suivi-contacts.csv"

    def fieldwork_report(self, suffix: str) -> Path:
        """The fieldwork follow-up page (``iaobs suivi``; ``.html``, ``.pdf`` or ``.csv``)."""
        return self.private_dir / f"suivi-terrain{suffix}"

    @property
    def processed_root(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def processed_dir(self) -> Path:
        base = self.processed_root
        return base / self.processed_subdir if self.processed_subdir else base

    @property
    def processed(self) -> Processed:
        return Processed(self.processed_dir)

    @property
    def reports_root(self) -> Path:
        return self.root / "reports"

    @property
    def reports_dir(self) -> Path:
        return self.reports_root / self.wave

    @property
    def cache_dir(self) -> Path:
        """Stage states and the report cache (rebuilt when deleted)."""
        return self.root / CACHE_DIRNAME

    @property
    def build_root(self) -> Path:
        """The build folders of this wave's reports (executed notebooks, logs)."""
        return self.cache_dir / "build" / self.wave

    @property
    def figure_cache_dir(self) -> Path:
        """Charts already drawn, by content key (:mod:`iaobs.render.figcache`)."""
        return self.cache_dir / "figures"

    def build_dir(self, slug: str) -> Path:
        """What rendering report ``slug`` leaves that is not a deliverable: its executed
        notebook and its log (outside ``reports/``: never published)."""
        return self.build_root / slug

    def stage_state(self, stage: str) -> Path:
        """The file recording the input hashes of a stage's last successful run."""
        suffix = self.processed_subdir.replace("/", "-") or "current"
        return self.cache_dir / "stages" / f"{stage}-{suffix}.json"
