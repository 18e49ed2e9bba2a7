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
# published (weighted, non-suppressed) results of its sector and size class. Short: 2-4 pages.
# Never shows another company's answer, free text, a name or a SIREN.
study_dir: str = "."  # study folder
company: str = ""  # the company's pseudonymous id (id_repondant)
language: str = ""  # fr or en; empty: the study's language
data_version: str = ""  # digest of responses.parquet (part of the cache key only)

# %%
from IPython.display import display

from iaobs.reports.kinds import actions
from iaobs.reports.kinds import company as benchmark

ctx = benchmark.load_company(study_dir, company, language=language)

# %%
display(benchmark.header(ctx))
display(benchmark.essentiel(ctx))
display(actions.position_block(ctx))
display(actions.action_block(ctx))

# %%
display(ctx.heading(2, "adoption"))
display(benchmark.chart_position(ctx, "ia_stade", title=ctx.label("ia_stade")))
display(benchmark.generative_sentence(ctx))
display(benchmark.show(ctx, "technologies"))

# %%
display(ctx.heading(2, "emploi"))
display(benchmark.chart_position(ctx, "impact_effectifs", title=ctx.label("impact_effectifs")))

# %%
display(ctx.heading(2, "competences"))
display(benchmark.show(ctx, "besoins"))

# %%
display(ctx.heading(2, "formation"))
display(benchmark.chart_position(ctx, "part_formes_ia", title=ctx.label("part_formes_ia")))

# %%
display(ctx.heading(2, "freins"))
display(benchmark.show(ctx, "freins"))

# %%
display(benchmark.about(ctx))
