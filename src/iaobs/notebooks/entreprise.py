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
# "Votre entreprise face à son secteur": one volunteer company's own answers placed against the
# published (weighted, non-suppressed) results of its sector and size class. Short: 2-3 pages.
# Never shows another company's answer, free text, a name or a SIREN.
study_dir: str = "."  # study folder
company: str = ""  # the company's pseudonymous id (id_repondant)
language: str = ""  # fr or en; empty: the study's language
data_version: str = ""  # digest of responses.parquet (part of the cache key only)

# %%
from IPython.display import display

from iaobs.reports.kinds import actions
from iaobs.reports.kinds import company as benchmark
from iaobs.reports.kinds import company_chart as charts
from iaobs.reports.kinds import company_tables as tables

ctx = benchmark.load_company(study_dir, company, language=language)

# %%
display(benchmark.header(ctx))
display(benchmark.essentiel(ctx))
display(tables.show(ctx, "position"))
display(actions.action_block(ctx))

# %%
display(ctx.heading(2, "adoption"))
display(charts.chart_position(ctx, "ia_stade", title=ctx.label("ia_stade")))
display(benchmark.generative_sentence(ctx))
display(tables.show(ctx, "technologies"))

# %%
display(ctx.heading(2, "emploi"))
display(charts.chart_position(ctx, "impact_effectifs", title=ctx.label("impact_effectifs")))

# %%
display(ctx.heading(2, "competences"))
display(tables.show(ctx, "besoins"))

# %%
display(ctx.heading(2, "formation"))
display(charts.chart_position(ctx, "part_formes_ia", title=ctx.label("part_formes_ia")))

# %%
display(ctx.heading(2, "freins"))
display(tables.show(ctx, "freins"))

# %%
display(benchmark.about(ctx))
