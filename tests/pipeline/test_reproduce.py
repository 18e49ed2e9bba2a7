"""Every published figure recomputed by R's survey from the microdata; microdata read back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iaobs import load_study
from iaobs.core.contract import DESIGN_COLUMNS, HIDDEN_FLAGS, STRATUM, WEIGHT
from iaobs.pipeline.clean import clean_study
from iaobs.pipeline.estimate import compute_study_indicators
from iaobs.pipeline.microdata import _short_names


@pytest.fixture(scope="module")
def estimated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from iaobs.tools import sample

    root = tmp_path_factory.mktemp("parite")
    sample.write_sample_study(root, n_companies=400)
    # parity of the statistics, not secrecy: with 400 firms, protecting every rare answer by
    # 10 points would hide the sector contrasts compared here (secrecy: tests/stats)
    with (root / "study.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[thresholds]\nprotection_share = 0.02\n")
    study = load_study(root)
    clean_study(study)
    compute_study_indicators(study)
    return root


def _rscript() -> str:
    found = shutil.which("Rscript")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript absent : installez r-base-core, r-cran-survey et r-cran-mass")
        pytest.skip("Rscript absent (make test l'installe)")
    return found


@pytest.mark.slow
def test_r_survey_recomputes_every_published_figure(estimated: Path, tmp_path: Path) -> None:
    rscript = _rscript()
    study = load_study(estimated)
    processed = study.store.processed
    out = tmp_path / "indicateurs_R.csv"
    run = subprocess.run(
        [rscript, str(processed.reproduce_script), str(processed.microdata), str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "écart relatif maximal" in run.stderr
    ours = pd.read_parquet(processed.indicators)
    ours = ours[~ours["flag"].isin(HIDDEN_FLAGS) & ours["estimate"].notna()]
    ours = ours[ours["statistic"].isin(["proportion", "mean"])]
    theirs = pd.read_csv(out, keep_default_na=False, na_values=["NA", "NaN"], dtype={"level": str})
    both = ours.merge(
        theirs, on=["indicator", "level", "domain"], how="left", suffixes=("", "_r"), indicator=True
    )
    missing = both[both["_merge"] != "both"]
    assert missing.empty, missing[["indicator", "level", "domain"]].head().to_dict("records")
    assert len(both) > 1000
    assert (both["n"] == both["n_r"]).all()
    np.testing.assert_allclose(both["estimate_r"], both["estimate"], rtol=0, atol=1e-8)
    # standard errors zero by construction (a calibrated margin: the share of a size class in
    # a size class) are rounding noise on both sides, below 1e-8
    for column in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            both[f"{column}_r"], both[column], rtol=1e-6, atol=1e-8, err_msg=column
        )


@pytest.mark.slow
def test_microdata_read_back_with_labels_and_same_estimates(estimated: Path) -> None:
    import pyreadstat

    folder = load_study(estimated).store.processed.microdata
    csv = pd.read_csv(folder / "reponses.csv", dtype=str, keep_default_na=False)
    for column in DESIGN_COLUMNS:
        assert column in csv.columns
    assert any(c.startswith("cal_") for c in csv.columns)
    assert "siren" not in csv.columns and "raison_sociale" not in csv.columns
    weights = csv[WEIGHT].astype(float).to_numpy()
    usage = csv["ia_usage"].replace("", np.nan).astype(float).to_numpy()
    known = ~np.isnan(usage)
    expected = np.sum(weights[known] * usage[known]) / np.sum(weights[known])
    short = _short_names(list(csv.columns))
    for name in ("reponses.sav", "reponses.dta"):
        frame, meta = getattr(pyreadstat, "read_sav" if name.endswith("sav") else "read_dta")(
            str(folder / name)
        )
        key = (lambda c: c) if name.endswith("sav") else (lambda c: short[c])
        assert len(frame) == len(csv)
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert labels[key("ia_usage")]  # variable label from the dictionary
        assert meta.variable_value_labels[key("taille")]  # value labels from the dictionary
        assert (
            set(meta.variable_value_labels[key("taille")].values()) >= {"PME"}
            or len(meta.variable_value_labels[key("taille")]) >= 3
        )
        w = frame[key(WEIGHT)].to_numpy(dtype=float)
        u = frame[key("ia_usage")].to_numpy(dtype=float)
        ok = ~np.isnan(u)
        assert np.sum(w[ok] * u[ok]) / np.sum(w[ok]) == pytest.approx(expected, rel=1e-12)
        assert frame[key(STRATUM)].nunique() == csv[STRATUM].nunique()


def test_stata_names_are_short_and_unique() -> None:
    names = ["mode_acquisition__developpement_interne", "mode_acquisition__developpement_externe"]
    short = _short_names(names)
    assert all(len(v) <= 29 for v in short.values())
    assert len(set(short.values())) == 2


CONTRAST_R = r"""
y <- suppressWarnings(as.numeric(d$ia_usage))
base <- !is.na(y) & !is.na(d$secteur)
y0 <- ifelse(base, y, 0)
out <- NULL
for (s in sort(unique(d$secteur[base]))) {
  dans <- as.numeric(base & d$secteur %in% s)
  reste <- as.numeric(base & !(d$secteur %in% s))
  plan$variables$yD_ <- y0 * dans
  plan$variables$bD_ <- dans
  plan$variables$yR_ <- y0 * reste
  plan$variables$bR_ <- reste
  tot <- svytotal(~yD_ + bD_ + yR_ + bR_, plan)
  ct <- svycontrast(tot, quote(yD_ / bD_ - yR_ / bR_))
  out <- rbind(out, data.frame(domain = paste0("secteur=", s), difference = as.numeric(coef(ct)),
                               se = as.numeric(SE(ct))))
}
write.csv(format(out, digits = 17), sortie, row.names = FALSE)
"""


@pytest.mark.slow
def test_contrasts_equal_r_svycontrast(estimated: Path, tmp_path: Path) -> None:
    """Sector against the rest: R's svytotal + svycontrast (ratio difference) on the design."""
    rscript = _rscript()
    processed = load_study(estimated).store.processed
    script = processed.reproduce_script.read_text("utf-8")
    design_part = script[: script.index("# ---- domaines")]
    out = tmp_path / "contrastes_R.csv"
    program = tmp_path / "contrastes.R"
    program.write_text(design_part + CONTRAST_R, encoding="utf-8")
    run = subprocess.run(
        [rscript, str(program), str(processed.microdata), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    theirs = pd.read_csv(out)
    ours = pd.read_parquet(processed.contrasts)
    ours = ours[(ours.indicator == "ia_usage") & ours.domain.str.startswith("secteur=")]
    both = ours.merge(theirs, on="domain", suffixes=("", "_r"))
    both = both[both["difference"].notna()]
    assert len(both) >= 3
    np.testing.assert_allclose(both["difference_r"], both["difference"], atol=1e-10)
    np.testing.assert_allclose(both["se_r"], both["se"], rtol=1e-6)
