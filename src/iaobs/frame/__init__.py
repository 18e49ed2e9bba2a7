"""The sampling frame from SIRENE: reading the stock files, population margins, the survey's
plan, the drawn sample and the fieldwork follow-up."""
