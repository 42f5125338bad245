"""Governance reports built from themes, and city-staff engagement summaries."""
