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
# Regional overview: every sector of the study side by side.
# Every other cell calls iaobs and displays HTML; headings come from the library.
study_dir: str = "."  # study folder
language: str = ""  # fr or en; empty: the study's language

# %%
from IPython.display import display

from iaobs.reports import blocks, evolution, figures, tables, territory
from iaobs.reports import context as report

ctx = report.load_context(study_dir, language=language)

# %%
display(blocks.cover(ctx, "synthese"))
display(blocks.essentiel(ctx))

# %%
display(ctx.heading(2, "carte"))
display(blocks.definitions(ctx))
display(figures.chart_sector_heatmap(ctx))
display(tables.show(ctx, "secteurs"))

# %%
if territory.has_departements(ctx):  # studies estimated by département
    display(ctx.heading(2, "departements"))
    display(territory.departement_commentary(ctx))
    display(territory.chart_departements(ctx))
    display(tables.show(ctx, "departements"))

# %%
display(ctx.heading(2, "classements"))
display(figures.chart_ranking(ctx, "ia_usage"))
display(tables.show(ctx, "classement_usage"))

# %%
display(figures.chart_ranking(ctx, "ia_generative", "outil_entreprise"))
display(tables.show(ctx, "classement_generative"))

# %%
display(figures.chart_ranking(ctx, "opinion_opportunite", "top2"))
display(tables.show(ctx, "classement_opportunite"))

# %%
display(figures.chart_ranking(ctx, "part_formes_ia", "aucun"))
display(tables.show(ctx, "classement_formes"))

# %%
if evolution.has_evolution(ctx):  # studies with two waves or more
    display(ctx.heading(2, "evolution"))
    display(evolution.evolution_summary(ctx))
    display(figures.chart_evolution(ctx))
    display(tables.show(ctx, "evolution"))

# %%
display(blocks.methodology(ctx))
