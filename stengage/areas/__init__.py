"""Project areas (Lyon Confluence, Vienna Simmering, ...), their processes and phases, and the
pages where city staff set processes up."""
