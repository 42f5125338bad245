"""Security headers on every response and same-origin redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https://tile.openstreetmap.org",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: str | None, fallback: str) -> str:
    """Return ``target`` only when it is a path on this site, else ``fallback``.

    Refuses scheme-relative (``//evil``), absolute (``https://evil``), backslash tricks
    (``/\\evil``, which browsers read as ``//evil``) and control characters.
    """
    if not target:
        return fallback
    if any(ord(ch) < 0x20 or ch == "\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def init_security_headers(app: Flask) -> None:
    send_hsts = app.config["SEND_HSTS"]

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if send_hsts and request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in h:
            h["Cache-Control"] = "no-store" if _is_personal(response) else "no-cache"
        return response


def _is_personal(response: Response) -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False)) or response.status_code >= 400
