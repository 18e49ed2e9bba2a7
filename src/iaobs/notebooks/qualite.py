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
# Data-quality report: what each file brought, what was corrected, rejected and why.
# Counts only: no confidential value and no free text is ever printed.
# Every other cell calls iaobs and displays HTML; headings come from the library.
study_dir: str = "."  # study folder
language: str = ""  # fr or en; empty: the study's language

# %%
from IPython.display import display

from iaobs.reports import blocks, tables
from iaobs.reports import context as report
from iaobs.reports.kinds import quality

ctx = report.load_context(study_dir, language=language, require_indicators=False)

# %%
display(blocks.cover(ctx, "qualite"))
display(quality.quality_summary(ctx))

# %%
display(ctx.heading(2, "fichiers"))
display(quality.chart_quality(ctx))
display(tables.show(ctx, "fichiers", kind="qualite"))

# %%
display(ctx.heading(2, "corrections"))
display(tables.show(ctx, "corrections", kind="qualite"))

# %%
display(ctx.heading(2, "rejets"))
display(tables.show(ctx, "rejets", kind="qualite"))

# %%
display(ctx.heading(2, "constats"))
display(tables.show(ctx, "constats", kind="qualite"))
