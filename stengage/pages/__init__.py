"""Content pages the city writes in every language: help, FAQ, privacy, terms, and any others."""
