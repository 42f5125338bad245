"""Where uploaded files live: one small interface, with a local folder as the default backend.

File names are always generated here (128 random bits plus a known suffix) and never come from user input,
so a name that does not look generated is refused before it can reach the file system.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

EXTENSION_KEY = "stengage_storage"

SUFFIXES = frozenset({"jpg", "png", "webp", "pdf"})

# fullmatch, not match + "$": "$" would also accept a trailing newline
_NAME_RE = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp|pdf)")

# Uploaded images are public; 0644 lets a front web server deliver them straight from the folder
_FILE_MODE = 0o644


class StorageError(Exception):
    """A name was refused, a suffix is not allowed, or the file could not be found."""


class StorageNotFound(StorageError):
    """The name is well-formed, but no such file is stored."""


class Storage(Protocol):
    def save(self, data: bytes, suffix: str) -> str:
        """Store data under a new random name ending in suffix ("webp" or ".webp") and return that name."""
        ...

    def open(self, name: str) -> bytes:
        """Return the stored bytes; StorageNotFound if there are none."""
        ...

    def path_or_none(self, name: str) -> Path | None:
        """The local path of a stored file (for send_file), or None if it is missing or not on local disk."""
        ...

    def delete(self, name: str) -> None:
        """Remove the file; deleting a missing file is not an error."""
        ...

    def exists(self, name: str) -> bool: ...


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and _NAME_RE.fullmatch(name) is not None


def check_name(name: object) -> str:
    if not is_valid_name(name):
        raise StorageError(f"Refused storage name {name!r}")
    assert isinstance(name, str)
    return name


def normalise_suffix(suffix: str) -> str:
    ext = suffix.lower().removeprefix(".")
    ext = "jpg" if ext == "jpeg" else ext
    if ext not in SUFFIXES:
        raise StorageError(f"Refused suffix {suffix!r}")
    return ext


def new_name(suffix: str) -> str:
    return f"{secrets.token_hex(16)}.{normalise_suffix(suffix)}"


class LocalStorage:
    """Files in one flat folder; the folder is created on the first save."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def save(self, data: bytes, suffix: str) -> str:
        name = new_name(suffix)
        self.root.mkdir(parents=True, exist_ok=True)
        # The temporary name starts with "." and ends in ".tmp", so it can never pass check_name()
        fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _FILE_MODE)
            # Readers see either no file or the whole file, never a half-written one
            os.replace(tmp, self.root / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._sync_dir()
        return name

    def _sync_dir(self) -> None:
        # Makes the rename itself durable; not every platform/file system allows fsync on a folder
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def open(self, name: str) -> bytes:
        path = self._path(name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StorageNotFound(f"No stored file {name!r}") from None

    def path_or_none(self, name: str) -> Path | None:
        path = self._path(name)
        return path if path.is_file() else None

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()


def init_storage(app: Flask) -> LocalStorage:
    root = Path(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")
    storage = LocalStorage(root)
    app.extensions[EXTENSION_KEY] = storage
    return storage


def get_storage() -> Storage:
    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("No upload storage: call stengage.core.storage.init_storage(app) in create_app") from None
