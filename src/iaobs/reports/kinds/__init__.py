"""reports/kinds."""
