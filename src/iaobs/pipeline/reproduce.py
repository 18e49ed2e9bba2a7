"""The R script that recomputes the indicators table from the published microdata.

``data/processed/reproduire.R`` rebuilds the design with R's ``survey`` package from the
analysts' microdata (``data/processed/microdonnees/``): ``svydesign`` with the strata after
collapses and their population counts (finite population correction), then ``calibrate``
(raking, the same per-respondent bounds) on the same calibration cells and totals; it checks
that the weights equal the published ``poids`` and recomputes every indicator × level × domain
(``indicateurs_definition.csv``): the estimate and its linearised SE with ``svyby``/``svymean``,
the Korn–Graubard interval of a proportion and the Student interval of a mean. The result is a
CSV with the columns of the indicators table (``indicator, level, domain, statistic, estimate,
se, ci_low, ci_high, n``), for comparison with ``indicators.parquet``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["r_script"]

_TEMPLATE = r"""# Reproduire les indicateurs publiés avec le paquet R « survey »
# Script écrit par iaobs {version} ; voir docs/reproduire-avec-R.md.
#
# Usage : Rscript reproduire.R [dossier des microdonnées] [fichier de sortie]
#   par défaut : microdonnees/ à côté de ce script, et indicateurs_R.csv à côté de ce script.
# Paquets : survey (et MASS, qu'il utilise pour le calage).

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "certainty")  # une strate à un seul répondant : variance nulle

here <- local({{
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f[1])) else getwd()
}})
args <- commandArgs(trailingOnly = TRUE)
dossier <- if (length(args) >= 1) args[1] else file.path(here, "microdonnees")
sortie <- if (length(args) >= 2) args[2] else file.path(here, "indicateurs_R.csv")
niveau <- {confidence}
partitions <- list({partitions})

# ---- les réponses et les variables du plan
d <- read.csv(file.path(dossier, "reponses.csv"), colClasses = "character",
              na.strings = "", encoding = "UTF-8", check.names = FALSE)
for (v in c("{weight}", "{design_weight}", "{fpc}", "{lower}", "{upper}")) d[[v]] <- as.numeric(d[[v]])
cal <- read.csv(file.path(dossier, "calage.csv"), colClasses = "character",
                na.strings = character(0), encoding = "UTF-8")
cal$total <- as.numeric(cal$total)
marges <- unique(cal$colonne)
for (v in marges) d[[v]] <- factor(d[[v]], levels = cal$cellule[cal$colonne == v])

# ---- le plan : strates après regroupement, correction de population finie, calage
plan <- svydesign(ids = ~1, strata = ~{stratum}, fpc = ~{fpc}, weights = ~{design_weight}, data = d)
if (length(marges)) {{
  formule <- as.formula(paste("~", paste(marges, collapse = " + ")))
  totaux <- c("(Intercept)" = sum(cal$total[cal$colonne == marges[1]]))
  for (v in marges) {{
    m <- cal[cal$colonne == v, ]
    totaux <- c(totaux, setNames(m$total[-1], paste0(v, m$cellule[-1])))
  }}
  # la fonction « raking » de survey, avec la dérivée exacte entre les bornes (celle de
  # cal.raking compare u à borne − 1 et s'annule à tort sous g = 0,45, ce qui bloque Newton)
  raking_borne <- make.calfun(
    Fm1 = function(u, bounds) pmin(pmax(exp(u), bounds$lower), bounds$upper) - 1,
    dF = function(u, bounds) ifelse(exp(u) > bounds$lower & exp(u) < bounds$upper, exp(u), 0),
    name = "raking borné")
  plan <- calibrate(plan, formule, population = totaux, calfun = raking_borne,
                    bounds = list(lower = d${lower}, upper = d${upper}),
                    epsilon = 1e-12, maxit = 200)
}}
ecart <- max(abs(weights(plan) / d${weight} - 1))
message(sprintf("poids recalculés : écart relatif maximal %.2g avec « {weight} »", ecart))

# ---- domaines
etiquette <- function(vars) {{
  if (!length(vars)) return(rep("all", nrow(d)))
  out <- do.call(paste, c(lapply(vars, function(v) paste0(v, "=", d[[v]])), sep = ";"))
  manque <- Reduce(`|`, lapply(vars, function(v) is.na(d[[v]])))
  out[manque] <- NA
  out
}}
domaines <- lapply(partitions, etiquette)

# ---- Korn–Graubard, comme svyciprop(method = "beta") avec n = répondants du domaine
korn_graubard <- function(p, v, n, df, nk, alpha) {{
  adj <- (qt(alpha / 2, pmax(n - 1, 1)) / qt(alpha / 2, pmax(df, 1)))^2
  p <- ifelse(abs(p) < 1e-12, 0, ifelse(abs(1 - p) < 1e-12, 1, p))  # arrondis
  interieur <- p > 0 & p < 1 & v > 1e-10 * p * (1 - p)  # variance nulle aux arrondis près
  nd <- ifelse(interieur, p * (1 - p) / ifelse(v > 0, v, 1), nk)
  ne <- nd * adj
  bas <- ifelse(interieur, qbeta(alpha / 2, pmax(ne * p, 1e-300), ne * (1 - p) + 1), NA)
  haut <- ifelse(interieur, qbeta(1 - alpha / 2, ne * p + 1, pmax(ne * (1 - p), 1e-300)), NA)
  ne0 <- pmax(nk * adj, 1e-9)
  zero <- !is.na(p) & p == 0
  un <- !is.na(p) & p == 1
  bas[zero] <- 0
  haut[zero] <- 1 - (alpha / 2)^(1 / ne0[zero])
  bas[un] <- (alpha / 2)^(1 / ne0[un])
  haut[un] <- 1
  plat <- !is.na(p) & p > 0 & p < 1 & !interieur
  bas[plat] <- p[plat]
  haut[plat] <- p[plat]
  cbind(pmin(pmax(bas, 0), 1), pmin(pmax(haut, 0), 1))
}}

# ---- chaque indicateur × niveau × domaine
defs <- read.csv(file.path(dossier, "indicateurs_definition.csv"), colClasses = "character",
                 na.strings = character(0), encoding = "UTF-8")
alpha <- 1 - niveau
w <- weights(plan)
groupes <- split(seq_len(nrow(defs)), paste(defs$column, defs$base, defs$statistic, sep = "\r"))
lignes <- list()
for (g in groupes) {{
  def <- defs[g, ]
  x <- d[[def$column[1]]]
  if (def$statistic[1] == "mean") {{
    y <- matrix(suppressWarnings(as.numeric(x)), ncol = 1)
    base <- !is.na(y[, 1])
  }} else {{
    base <- !is.na(x) & x %in% strsplit(def$base[1], "|", fixed = TRUE)[[1]]
    y <- sapply(strsplit(def$numerator, "|", fixed = TRUE), function(codes) as.numeric(x %in% codes))
    y <- matrix(y, nrow = nrow(d))
  }}
  y[!base, ] <- 0
  noms <- paste0("y_", seq_len(ncol(y)))
  for (k in seq_along(noms)) plan$variables[[noms[k]]] <- y[, k]
  for (part in names(domaines)) {{
    dom <- domaines[[part]]
    ok <- base & !is.na(dom)
    if (!any(ok)) next
    plan$variables$domaine_ <- ifelse(ok, dom, dom[ok][1])
    sous <- plan[ok]
    est <- svyby(as.formula(paste("~", paste(noms, collapse = " + "))), ~domaine_, sous,
                 svymean, keep.var = TRUE)
    labs <- as.character(est$domaine_)
    m <- as.matrix(est[, noms, drop = FALSE])
    s <- matrix(as.matrix(SE(est)), nrow = length(labs))
    n <- as.numeric(table(factor(dom[ok], levels = labs)))
    nk <- sapply(labs, function(l) {{ ww <- w[ok & dom == l]; sum(ww)^2 / sum(ww^2) }})
    df <- sapply(labs, function(l) degf(plan[ok & dom %in% l]))
    for (k in seq_along(noms)) {{
      if (def$statistic[1] == "mean") {{
        t <- qt(1 - alpha / 2, pmax(df, 1))
        ic <- cbind(m[, k] - t * s[, k], m[, k] + t * s[, k])
      }} else {{
        ic <- korn_graubard(m[, k], s[, k]^2, n, df, nk, alpha)
      }}
      lignes[[length(lignes) + 1]] <- data.frame(
        indicator = def$indicator[k], level = def$level[k], domain = labs,
        statistic = if (def$statistic[k] == "mean") "mean" else "proportion",
        estimate = m[, k], se = s[, k], ci_low = ic[, 1], ci_high = ic[, 2], n = n,
        stringsAsFactors = FALSE)
    }}
  }}
  plan$variables[noms] <- NULL
}}
resultat <- do.call(rbind, lignes)
write.csv(format(resultat, digits = 17), sortie, row.names = FALSE, fileEncoding = "UTF-8")
message(sprintf("%d lignes écrites dans %s", nrow(resultat), sortie))
"""


def r_script(
    *,
    version: str,
    partitions: Sequence[tuple[str, ...]],
    confidence: float,
    names: dict[str, str],
) -> str:
    """The text of ``reproduire.R`` for a study's domains and confidence level.

    ``partitions``: the domain variables of each partition (``()`` for the whole region);
    ``names``: the design columns (keys ``weight``, ``design_weight``, ``stratum``, ``fpc``,
    ``lower``, ``upper``).
    """
    parts = ", ".join(
        f"{'_'.join(p) or 'all'} = c({', '.join(repr(v).replace(chr(39), chr(34)) for v in p)})"
        if p
        else "all = character(0)"
        for p in partitions
    )
    return _TEMPLATE.format(
        version=version, confidence=repr(float(confidence)), partitions=parts, **names
    )
