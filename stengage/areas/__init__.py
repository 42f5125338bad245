"""Project areas (Lyon Confluence, Vienna Simmering, ...), and later their processes and phases."""
