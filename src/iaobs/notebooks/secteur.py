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
# Every section opens with its commentary, then one chart per point; the detailed tables are
# in the Excel workbook. Every other cell calls iaobs and displays HTML.
study_dir: str = "."  # study folder
sector: str = "banque"  # sector code
language: str = ""  # fr or en; empty: the study's language

# %%
from IPython.display import display

from iaobs.reports import blocks, commentary, evolution, figures, tables
from iaobs.reports import context as report

ctx = report.load_context(study_dir, sector=sector, language=language)

# %%
display(blocks.cover(ctx, "secteur"))
display(commentary.essentiel_prose(ctx))

# %%
display(ctx.heading(2, "adoption"))
display(commentary.section_commentary(ctx, "adoption"))
display(figures.chart_items(ctx, "ia_stade"))
display(figures.chart_items(ctx, "techno"))
display(figures.chart_items(ctx, "usages"))

# %%
display(figures.chart_items(ctx, "ia_generative", sort=False))
display(figures.chart_by_size(ctx, "ia_usage"))

# %%
display(ctx.heading(2, "emploi"))
display(commentary.section_commentary(ctx, "emploi"))

# %%
display(
    figures.chart_scale(
        ctx,
        ["impact_effectifs", *report.matrix_items(ctx, "impact_famille")],
        title=ctx.label("impact_famille"),
        labels={"impact_effectifs": ctx.pick("Ensemble des effectifs", "All staff")},
    )
)

# %%
display(figures.chart_items(ctx, "taches_automatisables"))
display(figures.chart_items(ctx, "difficulte_recrutement"))

# %%
display(ctx.heading(2, "competences"))
display(commentary.section_commentary(ctx, "competences"))
display(figures.chart_items(ctx, "besoin_comp", level="top2"))

# %%
display(ctx.heading(2, "formation"))
display(commentary.section_commentary(ctx, "formation"))
display(figures.chart_items(ctx, "part_formes_ia"))
display(figures.chart_items(ctx, "publics_prioritaires"))
display(figures.chart_items(ctx, "formats_formation"))

# %%
display(ctx.heading(2, "freins"))
display(commentary.section_commentary(ctx, "freins"))
display(figures.chart_items(ctx, "freins"))
display(
    figures.chart_scale(ctx, report.OPINIONS, title=ctx.pick("Opinions sur l'IA", "Opinions on AI"))
)

# %%
display(ctx.heading(2, "comparaison"))
display(figures.chart_ranking(ctx, "ia_usage"))
display(tables.show(ctx, "comparaison"))

# %%
if evolution.has_evolution(ctx):  # studies with two waves or more
    display(ctx.heading(2, "evolution"))
    display(evolution.evolution_summary(ctx))
    display(figures.chart_evolution(ctx))
    display(tables.show(ctx, "evolution"))

# %%
display(blocks.definitions(ctx))
display(blocks.methodology(ctx))
