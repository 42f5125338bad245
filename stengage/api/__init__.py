"""The read-only open-data API under /api/v1, with its OpenAPI 3.1 document."""
