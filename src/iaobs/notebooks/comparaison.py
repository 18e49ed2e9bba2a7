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
# Comparison report: the indicators shared by several studies (regions), side by side with
# their intervals, and which differences are significant (z tests, Holm adjustment).
# Every other cell calls iaobs and displays HTML; headings come from the library.
studies: list = []  # study folders (two or more), each estimated with « iaobs run »
language: str = ""  # fr or en; empty: the first study's language

# %%
from IPython.display import display

from iaobs.reports.kinds import comparison as compare

ctx = compare.load_comparison(studies, language=language)

# %%
display(compare.cover(ctx))
display(compare.essentiel(ctx))

# %%
display(ctx.heading(2, "comparaison_etudes"))
display(compare.chart_studies(ctx))
display(compare.show_table(ctx, "cles"))

# %%
display(ctx.heading(2, "comparaison_domaines"))
display(compare.chart_domains(ctx))
display(compare.show_table(ctx, "domaines"))

# %%
display(ctx.heading(2, "non_compares"))
display(compare.show_table(ctx, "exclus"))

# %%
display(compare.methodology(ctx))
