"""actors: the directory of the region's AI actors (SIRENE establishments and the curated list)."""
