# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# Pilot-training evaluation: what the training changed, T0 -> T1 and T0 -> T2, on the
# participants present at both waves (paired tests), attrition, satisfaction, time saved.
# Persons, not firms: no figure rests on fewer than 11 participants.
study_dir: str = "."  # study folder
language: str = ""  # fr or en; empty: the study's language
data_version: str = ""  # digest of formation.parquet (part of the cache key only)

# %%
from IPython.display import display

from iaobs.reports.kinds import caveats, training, training_summary
from iaobs.reports.kinds import training_figures as charts
from iaobs.reports.kinds import training_tables as tables

ctx = training.load_training(study_dir, language=language)

# %%
display(training_summary.cover(ctx))
display(training_summary.essentiel(ctx))

# %%
display(ctx.heading(2, "participation"))
display(training.attrition_text(ctx))
display(tables.show(ctx, "attrition"))
display(tables.show(ctx, "attrition_famille"))
display(tables.show(ctx, "attrition_secteur"))

# %%
display(ctx.heading(2, "progres"))
display(caveats.caveat(ctx))
display(ctx.heading(3, "aisance"))
display(charts.chart_confidence(ctx))
display(charts.chart_quiz(ctx))
display(tables.show(ctx, "apparie_t1"))
display(tables.show(ctx, "apparie_t2"))

# %%
display(ctx.heading(3, "usages"))
display(tables.show(ctx, "oui_non"))

# %%
display(ctx.heading(2, "satisfaction"))
display(charts.chart_satisfaction(ctx))
display(tables.show(ctx, "satisfaction"))
display(tables.show(ctx, "intention"))
display(tables.show(ctx, "recommandation"))

# %%
display(ctx.heading(2, "trois_mois"))
display(tables.show(ctx, "temps_gagne"))

# %%
display(ctx.heading(2, "profils"))
display(tables.show(ctx, "profil_secteur"))
display(tables.show(ctx, "profil_famille_metier"))
display(tables.show(ctx, "profil_statut"))

# %%
display(training.methodology(ctx))
