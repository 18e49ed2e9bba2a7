# %% tags=["parameters"]
study_dir: str = ""  # study folder
sector: str = "banque"  # sector code
language: str = "fr"  # fr or en

# %%
from IPython.display import HTML, display

from iaobs.reports import blocks, tables
from iaobs.reports import context as report

ctx = report.load_context(study_dir, sector=sector, language=language)
display(HTML(blocks.cover(ctx, "secteur")))
display(HTML(blocks.essentiel(ctx)))

# %%
display(HTML(ctx.heading(2, "adoption")))
for key in ["stade", "technologies", "fonctions", "generative", "taille"]:
    display(HTML(tables.show(ctx, key)))

# %%
display(HTML(ctx.heading(2, "competences")))
for key in ["besoins", "besoins_taille", "prioritaire"]:
    display(HTML(tables.show(ctx, key)))

# %%
display(HTML(blocks.definitions(ctx)))
display(HTML(blocks.methodology(ctx)))
