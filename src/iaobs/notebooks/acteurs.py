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
# « Qui sont les acteurs de l'IA en région ? » — the directory and map of the region's AI
# actors: SIRENE establishments of the AI-supply activities and the observatory's list.
# Non-diffusible units are counted, never named nor placed below their département.
study_dir: str = "."  # study folder
language: str = ""  # fr or en; empty: the study's language
data_version: str = ""  # digest of acteurs.parquet (part of the cache key only)

# %%
from IPython.display import display

from iaobs.reports.kinds import actors

ctx = actors.load_actors(study_dir, language=language)

# %%
display(actors.cover(ctx))
display(actors.essentiel(ctx))

# %%
display(ctx.heading(2, "repartition"))
display(actors.counts_text(ctx))
display(actors.show(ctx, "par_type"))
display(actors.show(ctx, "par_activite"))

# %%
display(ctx.heading(2, "carte"))
display(actors.chart_map(ctx))

# %%
display(ctx.heading(2, "evolution"))
display(actors.show(ctx, "evolution"))

# %%
display(ctx.heading(2, "annuaire"))
display(actors.directory_html(ctx))

# %%
display(actors.methodology(ctx))
