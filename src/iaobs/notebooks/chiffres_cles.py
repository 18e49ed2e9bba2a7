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
# Key figures of one sector on four pages, for circulation: the key figures in large type
# with their intervals and bases, four charts, the comparison table and a short method.
study_dir: str = "."  # study folder
sector: str = "banque"  # sector code
language: str = ""  # fr or en; empty: the study's language

# %%
from IPython.display import display

from iaobs.reports import commentary, figures, tables
from iaobs.reports import context as report

ctx = report.load_context(study_dir, sector=sector, language=language)

# %%
display(commentary.key_facts_header(ctx))
display(commentary.key_numbers(ctx))

# %%
display(figures.chart_by_size(ctx, "ia_usage", alone=False))
display(figures.chart_items(ctx, "techno"))
display(figures.chart_items(ctx, "besoin_comp", level="top2"))
display(figures.chart_items(ctx, "freins"))

# %%
display(tables.show(ctx, "comparaison", kind="chiffres_cles"))
display(commentary.key_facts_method(ctx))
