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
# Sector report: AI adoption, jobs, skills and training in one sector of the study.
# Every other cell calls iaobs and displays HTML; headings come from the library.
study_dir: str = "."  # study folder
sector: str = "banque"  # sector code
language: str = ""  # fr or en; empty: the study's language

# %%
from IPython.display import display

from iaobs.reports import figures
from iaobs.reports import context as report
from iaobs.reports import tables

ctx = report.load_context(study_dir, sector=sector, language=language)

# %%
display(report.cover(ctx, "secteur"))
display(report.essentiel(ctx))

# %%
display(ctx.heading(2, "adoption"))
display(report.definitions(ctx))

# %%
display(ctx.heading(3, "stade"))
display(figures.chart_items(ctx, "ia_stade"))
display(tables.show(ctx, "stade"))

# %%
display(ctx.heading(3, "technologies"))
display(figures.chart_items(ctx, "techno"))
display(tables.show(ctx, "technologies"))

# %%
display(ctx.heading(3, "fonctions"))
display(figures.chart_items(ctx, "usages"))
display(tables.show(ctx, "fonctions"))

# %%
display(ctx.heading(3, "generative"))
display(figures.chart_items(ctx, "ia_generative", sort=False))
display(tables.show(ctx, "generative"))

# %%
display(ctx.heading(3, "taille"))
display(figures.chart_by_size(ctx, "ia_usage"))
display(tables.show(ctx, "taille"))

# %%
display(ctx.heading(2, "emploi"))
display(ctx.heading(3, "effectifs"))
display(figures.chart_scale(ctx, ["impact_effectifs"], title=ctx.label("impact_effectifs")))
display(tables.show(ctx, "effectifs"))

# %%
display(ctx.heading(3, "familles"))
display(
    figures.chart_scale(
        ctx, report.matrix_items(ctx, "impact_famille"), title=ctx.label("impact_famille")
    )
)
display(tables.show(ctx, "familles"))

# %%
display(ctx.heading(3, "taches"))
display(figures.chart_items(ctx, "taches_automatisables"))
display(tables.show(ctx, "taches"))

# %%
display(ctx.heading(3, "nouveaux_metiers"))
display(figures.chart_items(ctx, "nouveaux_metiers"))
display(tables.show(ctx, "nouveaux_metiers"))
display(figures.chart_items(ctx, "difficulte_recrutement"))
display(tables.show(ctx, "recrutement"))

# %%
display(ctx.heading(2, "competences"))
display(ctx.heading(3, "besoins"))
display(figures.chart_items(ctx, "besoin_comp", level="top2"))
display(tables.show(ctx, "besoins"))
display(figures.chart_skills_heatmap(ctx))
display(tables.show(ctx, "besoins_taille"))

# %%
display(ctx.heading(3, "prioritaire"))
display(figures.chart_items(ctx, "competence_prioritaire", sort=True))
display(tables.show(ctx, "prioritaire"))

# %%
display(ctx.heading(2, "formation"))
display(ctx.heading(3, "formes"))
display(figures.chart_items(ctx, "part_formes_ia"))
display(tables.show(ctx, "formes"))

# %%
display(ctx.heading(3, "publics"))
display(figures.chart_items(ctx, "publics_prioritaires"))
display(tables.show(ctx, "publics"))

# %%
display(ctx.heading(3, "formats"))
display(figures.chart_items(ctx, "formats_formation"))
display(tables.show(ctx, "formats"))
display(figures.chart_items(ctx, "duree_formation"))
display(tables.show(ctx, "duree"))

# %%
display(ctx.heading(3, "financement"))
display(figures.chart_items(ctx, "financement"))
display(tables.show(ctx, "financement"))

# %%
display(ctx.heading(2, "freins"))
display(ctx.heading(3, "liste_freins"))
display(figures.chart_items(ctx, "freins"))
display(tables.show(ctx, "freins"))

# %%
display(ctx.heading(3, "opinions"))
display(
    figures.chart_scale(ctx, report.OPINIONS, title=ctx.pick("Opinions sur l'IA", "Opinions on AI"))
)
display(tables.show(ctx, "opinions"))

# %%
display(ctx.heading(2, "comparaison"))
display(figures.chart_comparison(ctx))
display(figures.chart_ranking(ctx, "ia_usage"))
display(tables.show(ctx, "comparaison"))

# %%
if report.has_evolution(ctx):  # studies with two waves or more
    display(ctx.heading(2, "evolution"))
    display(report.evolution_summary(ctx))
    display(figures.chart_evolution(ctx))
    display(tables.show(ctx, "evolution"))

# %%
display(report.methodology(ctx))
