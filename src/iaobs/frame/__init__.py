"""The sampling frame from SIRENE: reading the stock files, population margins, the survey's
plan, the drawn sample and the fieldwork follow-up.

* :mod:`iaobs.frame.sirene` — ``StockUniteLegale`` / ``StockEtablissement`` in the published
  layout (CSV, zipped CSV, parquet; a region's extract or the national file) read by DuckDB in
  bounded memory; :func:`~iaobs.frame.sirene.read_active_establishments` gives the active
  establishments of some NAF codes in some départements (siret, siren, name, commune,
  Lambert-93 coordinates, diffusion status);
* :mod:`iaobs.frame.margins` — the frame's rules: margins, exclusions by reason, the
  confidential frame;
* :mod:`iaobs.frame.plan` — the allocation by stratum and the expected precision by domain;
* :mod:`iaobs.frame.draw` — the stratified simple random sample with reserves;
* :mod:`iaobs.frame.suivi` — AAPOR response rates, the R-indicator, the strata to remind;
* :mod:`iaobs.frame.pages` — the design report and the fieldwork page (French HTML).

:mod:`iaobs.pipeline.frame` runs them on a study (``iaobs frame``, ``plan``, ``draw``, ``suivi``).
"""
