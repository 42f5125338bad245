"""Absolute links: for mail, inside a request or outside one (command line, jobs, tests), and for
files that leave the platform, always against the configured address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["SERVER_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def published_url_builder() -> Callable[..., str]:
    """``url_for`` for a published file: absolute links against ``SERVER_BASE_URL`` whatever host
    (or none) the request came in on, so a file saved to disk or mailed on still links to the
    platform. One URL adapter serves every link of the file."""
    base = urlsplit(current_app.config["SERVER_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "https")

    def published_url(endpoint: str, **values: Any) -> str:
        current_app.inject_url_defaults(endpoint, values)
        return adapter.build(endpoint, values, force_external=True)

    return published_url
