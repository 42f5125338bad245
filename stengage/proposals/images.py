"""Turning uploaded files into stored, re-encoded proposal images (and their thumbnails)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage

from stengage.core.images import MAX_BYTES, ImageRejected, accept_image, thumbnail
from stengage.core.operations import Refused
from stengage.core.storage import get_storage


@dataclass(frozen=True)
class StoredImage:
    file_name: str
    thumbnail_name: str
    content_type: str
    width: int
    height: int
    alt_text: str = ""


def store_uploads(files: list[FileStorage], alt_text: str = "") -> list[StoredImage]:
    """Accept every upload or none: one bad file refuses them all and stores nothing."""
    processed = []
    for upload in files:
        if not upload or not upload.filename:
            continue
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            image = accept_image(data)
            thumb = thumbnail(image.data)
        except ImageRejected as rejected:
            raise Refused(f"{upload.filename[:80]}: {rejected.message}", field="images") from None
        processed.append((image, thumb))
    storage = get_storage()
    stored = []
    for image, thumb in processed:
        stored.append(StoredImage(
            file_name=storage.save(image.data, image.suffix),
            thumbnail_name=storage.save(thumb.data, thumb.suffix),
            content_type=image.content_type, width=image.width, height=image.height, alt_text=alt_text,
        ))
    return stored


def discard(images: list[StoredImage]) -> None:
    """Remove files stored for an operation that was then refused or rolled back."""
    storage = get_storage()
    for image in images:
        for name in (image.file_name, image.thumbnail_name):
            storage.delete(name)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="stengage.pending-images")


def keep_pending(images: list[StoredImage]) -> str:
    """Photos already stored while the resident looks at similar proposals, as a signed form value
    (empty when there are none, so the form says nothing about kept photos)."""
    return _signer().dumps([asdict(image) for image in images[:3]]) if images else ""


def read_pending(value: str | None) -> list[StoredImage]:
    """The photos of ``keep_pending``; anything forged, altered or older than a day is ignored."""
    if not value:
        return []
    try:
        return [StoredImage(**item) for item in _signer().loads(value, max_age=86_400)]
    except (BadSignature, TypeError):
        return []
