"""What the reports show, named once: the titles of their sections and the key indicators.

Plain data, read by the context (numbered headings), the tables, the figures and the
evolution between waves.
"""

from __future__ import annotations

__all__ = ["KEY_INDICATORS", "SECTIONS", "UNNUMBERED"]

# Section titles: key -> (fr, en). Numbered in the order a report displays them.
SECTIONS: dict[str, tuple[str, str]] = {
    "adoption": ("Adoption de l'IA", "AI adoption"),
    "emploi": ("Impact sur l'emploi", "Impact on jobs"),
    "competences": ("Compétences", "Skills"),
    "formation": ("Formation", "Training"),
    "freins": ("Freins et perceptions", "Barriers and perceptions"),
    "evolution": ("Évolution depuis la vague précédente", "Change since the previous wave"),
    "comparaison": (
        "Comparaison avec l'ensemble des secteurs",
        "Comparison with all sectors",
    ),
    "stade": ("Stade d'adoption", "Adoption stage"),
    "technologies": ("Technologies utilisées", "Technologies used"),
    "fonctions": ("Fonctions concernées", "Business functions"),
    "generative": ("IA générative", "Generative AI"),
    "taille": ("Adoption selon la taille", "Adoption by company size"),
    "effectifs": ("Effet attendu sur les effectifs", "Expected effect on headcount"),
    "familles": ("Effet par famille de métiers", "Effect by job family"),
    "taches": ("Tâches automatisables", "Tasks that could be automated"),
    "nouveaux_metiers": ("Nouveaux métiers et recrutements", "New jobs and hiring"),
    "besoins": ("Besoins de compétences", "Skills needs"),
    "prioritaire": ("Compétence prioritaire", "Top-priority skill"),
    "formes": ("Salariés formés", "Staff trained"),
    "publics": ("Publics prioritaires", "Priority groups"),
    "formats": ("Formats et durée", "Formats and duration"),
    "financement": ("Financement", "Funding"),
    "liste_freins": ("Freins à l'usage de l'IA", "Barriers to AI use"),
    "opinions": ("Opinions sur l'IA", "Opinions on AI"),
    "indicateurs_cles": ("Indicateurs clés", "Key indicators"),
    "classements": ("Classement des secteurs", "Sectors ranked"),
    "carte": ("Vue d'ensemble des secteurs", "All sectors at a glance"),
    "tableau_secteurs": ("Tableau des secteurs", "Sectors table"),
    "departements": ("Vue par département", "By département"),
    "fichiers": ("Fichiers reçus", "Files received"),
    "corrections": ("Corrections automatiques", "Automatic corrections"),
    "rejets": ("Lignes rejetées", "Rejected rows"),
    "constats": ("Constats par règle", "Findings by rule"),
    "comparaison_etudes": ("Indicateurs clés des études", "Key indicators of the studies"),
    "comparaison_domaines": ("Par secteur et par taille", "By sector and size"),
    "non_compares": ("Ce qui n'est pas comparé", "What is not compared"),
    "annexe": ("Annexe méthodologique", "Methodology annex"),
}
#: sections whose heading carries no number
UNNUMBERED = frozenset({"annexe"})

# Key indicators compared across sectors: (indicator, level, short label fr, short label en)
KEY_INDICATORS: tuple[tuple[str, str, str, str], ...] = (
    ("ia_usage", "", "Utilise au moins une technologie d'IA", "Uses at least one AI technology"),
    (
        "ia_generative",
        "outil_entreprise",
        "Outil d'IA générative déployé",
        "Generative AI tool deployed",
    ),
    (
        "opinion_opportunite",
        "top2",
        "L'IA est une opportunité (d'accord)",
        "AI is an opportunity (agree)",
    ),
    (
        "opinion_menace_emploi",
        "top2",
        "L'IA menace des emplois (d'accord)",
        "AI threatens jobs (agree)",
    ),
    ("nouveaux_metiers", "oui", "A créé des postes liés à l'IA", "Created AI-related jobs"),
    ("part_formes_ia", "aucun", "Aucun salarié formé à l'IA", "No staff trained in AI"),
    ("charte_ia", "oui", "Dispose d'une charte d'usage de l'IA", "Has an AI use policy"),
    (
        "maturite_donnees",
        "top2",
        "Données accessibles et de qualité (d'accord)",
        "Data accessible and good (agree)",
    ),
)
