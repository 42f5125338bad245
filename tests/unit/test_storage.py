"""Local upload storage: generated names only, atomic writes, no way out of the folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask

from stengage.core.storage import (
    LocalStorage,
    Storage,
    StorageError,
    StorageNotFound,
    get_storage,
    init_storage,
)

NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|webp)")


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "uploads")


def test_save_open_delete_round_trip(storage: LocalStorage) -> None:
    name = storage.save(b"\xff\xd8pixels", ".jpg")

    assert storage.exists(name)
    assert storage.open(name) == b"\xff\xd8pixels"
    path = storage.path_or_none(name)
    assert path is not None and path.parent == storage.root and path.read_bytes() == b"\xff\xd8pixels"

    storage.delete(name)
    assert not storage.exists(name)
    assert storage.path_or_none(name) is None
    with pytest.raises(StorageNotFound):
        storage.open(name)
    storage.delete(name)  # deleting twice is fine


def test_names_are_random_and_well_formed(storage: LocalStorage) -> None:
    names = {storage.save(b"x", suffix) for suffix in (".jpg", "png", ".WEBP", "jpeg") * 5}
    assert len(names) == 20
    for name in names:
        assert NAME.fullmatch(name), name
    assert {name.rsplit(".", 1)[1] for name in names} == {"jpg", "png", "webp"}


def test_unknown_suffix_is_refused(storage: LocalStorage) -> None:
    for suffix in (".svg", ".html", "", ".jpg/../x", ".php"):
        with pytest.raises(StorageError):
            storage.save(b"x", suffix)
    assert not storage.root.exists() or list(storage.root.iterdir()) == []


def test_write_is_atomic_and_leaves_no_temp_files(storage: LocalStorage) -> None:
    names = [storage.save(bytes([i]) * 1000, ".png") for i in range(5)]
    assert sorted(p.name for p in storage.root.iterdir()) == sorted(names)


def test_failed_write_leaves_no_temp_file(storage: LocalStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(_src: str, _dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        storage.save(b"x", ".jpg")
    assert list(storage.root.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/b.jpg",
        "x.jpg\0",
        "../" + "a" * 32 + ".jpg",
        "a" * 32 + ".jpg/..",
        "/etc/passwd",
        "A" * 32 + ".jpg",  # upper case is not what we generate
        "a" * 32 + ".jpg\n",
        "a" * 32 + ".svg",
        "a" * 31 + ".jpg",
        "",
        ".upload-abc.tmp",
    ],
)
def test_names_that_were_not_generated_are_refused(storage: LocalStorage, name: str) -> None:
    for operation in (storage.open, storage.path_or_none, storage.delete, storage.exists):
        with pytest.raises(StorageError):
            operation(name)


def test_non_string_names_are_refused(storage: LocalStorage) -> None:
    with pytest.raises(StorageError):
        storage.open(Path("..") / "x.jpg")  # type: ignore[arg-type]


def test_init_storage_uses_instance_folder_by_default(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    init_storage(app)
    with app.app_context():
        storage = get_storage()
        assert isinstance(storage, LocalStorage)
        assert storage.root == (tmp_path / "instance" / "uploads").resolve()
        name = storage.save(b"x", ".webp")
    assert (tmp_path / "instance" / "uploads" / name).read_bytes() == b"x"


def test_init_storage_honours_upload_dir(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config["UPLOAD_DIR"] = str(tmp_path / "elsewhere")
    init_storage(app)
    with app.app_context():
        storage: Storage = get_storage()
        assert storage.open(storage.save(b"y", ".png")) == b"y"
    assert len(list((tmp_path / "elsewhere").iterdir())) == 1


def test_get_storage_without_init_says_so(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path))
    with app.app_context(), pytest.raises(RuntimeError, match="init_storage"):
        get_storage()
