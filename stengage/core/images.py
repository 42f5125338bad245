"""Safe intake of uploaded images: only JPEG, PNG and WebP, bounded in size, re-encoded from pixels only.

Nothing of the upload survives but its pixels: EXIF (GPS, camera), XMP, comments, ICC profiles, text chunks
and trailing data are dropped because the output is encoded from a fresh image built from raw pixel bytes.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from PIL import Image, ImageCms, ImageFile, ImageOps

Reason = Literal["too_large", "format", "too_many_pixels", "unreadable"]
TargetFormat = Literal["JPEG", "PNG", "WEBP"]

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
THUMBNAIL_SIZE = 480

# What Pillow may even try to parse: other plugins (EPS, PSD, TIFF, ...) are attack surface we do not need
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
# MPO is what Pillow calls a JPEG with extra frames (some cameras); it is still a JPEG
_TARGETS: dict[str, TargetFormat] = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_SUFFIX: dict[TargetFormat, str] = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_CONTENT_TYPE: dict[TargetFormat, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SAVE_OPTIONS: dict[TargetFormat, dict[str, object]] = {
    "JPEG": {"quality": 85, "progressive": True, "optimize": True},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 85, "method": 4},
}

# Signatures of images in other formats, only to tell the user "wrong format" rather than "not an image"
_OTHER_IMAGE_MAGIC = (
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\x00\x00\x01\x00",  # ICO
    b"8BPS",  # Photoshop
    b"\xff\x0a",  # JPEG XL codestream
    b"\x00\x00\x00\x0cJXL ",
)

# Errors Pillow raises on broken or hostile files; MemoryError is deliberately not among them
_DECODE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    TypeError,
    KeyError,
    ZeroDivisionError,
    OverflowError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


class ImageRejected(ValueError):
    """The upload is not an acceptable image; message is translatable and safe to show to the user."""

    def __init__(self, reason: Reason, message: LazyString) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message: LazyString = message

    def __str__(self) -> str:
        return str(self.message)


def _rejected_format() -> ImageRejected:
    return ImageRejected("format", _l("Only JPEG, PNG and WebP images are accepted."))


def _rejected_size(max_bytes: int) -> ImageRejected:
    megabytes = f"{max_bytes / (1024 * 1024):g}"
    return ImageRejected("too_large", _l("The image is larger than %(megabytes)s MB.", megabytes=megabytes))


def _rejected_pixels() -> ImageRejected:
    return ImageRejected("too_many_pixels", _l("The image has too many pixels."))


def _rejected_unreadable() -> ImageRejected:
    return ImageRejected("unreadable", _l("This file is not a readable image."))


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    data: bytes
    suffix: str  # with the dot: ".jpg", ".png" or ".webp"
    content_type: str
    width: int
    height: int


def accept_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE
) -> ProcessedImage:
    """Check an upload and return a clean re-encoding in the same format (JPEG, PNG or WebP).

    Raises ImageRejected for anything that is not an acceptable image. The longer side is at most max_side.
    """
    return _process(data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=max_side, target=None)


def thumbnail(data: bytes, size: int = THUMBNAIL_SIZE) -> ProcessedImage:
    """A WebP version that fits in a size x size box (aspect ratio kept, never enlarged; transparency kept).

    The input gets the same checks as accept_image, so raw uploads are safe here too.
    """
    return _process(data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, max_side=size, target="WEBP")


def _process(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int, target: TargetFormat | None
) -> ProcessedImage:
    # Other libraries in the process (WeasyPrint) switch on Pillow's global leniency for cut-off
    # files; an upload must be whole.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    if max_side < 1:
        raise ValueError("max_side must be positive")
    if len(data) > max_bytes:  # before Pillow sees a single byte
        raise _rejected_size(max_bytes)
    data = bytes(data)
    if not data:
        raise _rejected_unreadable()
    webp_size = _webp_canvas_size(data)
    if webp_size is not None and webp_size[0] * webp_size[1] > max_pixels:
        raise _rejected_pixels()  # libwebp allocates the whole canvas when the file is opened

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here a warning is a refusal.
        # catch_warnings() is process-global state: fine for gunicorn's sync workers, racy across threads.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        source_format = _verify(data, max_pixels)
        img = _load(data, source_format, max_side)

    target = target or _TARGETS[source_format]
    try:
        img = _orient(img)
        img = _to_mode(img, target)
        if max(img.size) > max_side:
            # resize() premultiplies alpha itself, so transparent edges do not turn dark
            img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        # A fresh image from raw pixels carries no info dict: no EXIF, XMP, ICC, comments or text chunks
        clean = Image.frombytes(img.mode, img.size, img.tobytes())
        out = io.BytesIO()
        clean.save(out, format=target, **_SAVE_OPTIONS[target])
    except _DECODE_ERRORS:
        raise _rejected_unreadable() from None
    return ProcessedImage(
        data=out.getvalue(),
        suffix=_SUFFIX[target],
        content_type=_CONTENT_TYPE[target],
        width=clean.width,
        height=clean.height,
    )


def _verify(data: bytes, max_pixels: int) -> str:
    """Identify the format from the bytes alone, check the declared size, and verify the file structure."""
    try:
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as img:
            source_format = img.format or ""
            width, height = img.size
            if source_format not in _TARGETS:
                raise _rejected_format()
            if width < 1 or height < 1:
                raise _rejected_unreadable()
            if width * height > max_pixels:  # from the header, before anything is decoded
                raise _rejected_pixels()
            img.verify()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _rejected_pixels() from None
    except Image.UnidentifiedImageError:
        raise (_rejected_format() if _looks_like_other_image(data) else _rejected_unreadable()) from None
    except _DECODE_ERRORS:
        raise _rejected_unreadable() from None
    return source_format


def _load(data: bytes, source_format: str, max_side: int) -> Image.Image:
    """Decode for real; verify() leaves the image unusable, so this is a second, fresh open."""
    try:
        img = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
        if img.format != source_format:  # the bytes cannot change between opens; refuse if they seem to
            raise _rejected_unreadable()
        if source_format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result will be downscaled anyway
            img.draft(img.mode, (max_side, max_side))
        img.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _rejected_pixels() from None
    except _DECODE_ERRORS:
        raise _rejected_unreadable() from None
    return img


def _orient(img: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(img)
    except _DECODE_ERRORS:
        return img  # a broken EXIF block should not cost the user the upload; it is discarded anyway


def _to_mode(img: Image.Image, target: TargetFormat) -> Image.Image:
    """Convert to a mode the target format stores well; colours are moved to sRGB before the ICC profile goes."""
    img = _to_srgb(img)
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # Plain convert("L") clips 16-bit values at 255 (a white image); scale them down instead
        img = img.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        mode = "L"
    if mode == "1":
        img, mode = img.convert("L"), "L"

    has_alpha = img.has_transparency_data
    if target == "JPEG":
        wanted = "L" if mode == "L" else "RGB"
    elif target == "PNG":
        if has_alpha:
            wanted = "LA" if mode in ("L", "LA") and "transparency" not in img.info else "RGBA"
        else:
            wanted = "L" if mode == "L" else "RGB"
    else:
        wanted = "RGBA" if has_alpha else "RGB"
    if wanted in ("RGB", "L") and has_alpha:
        img = _flatten_on_white(img)
    return img if img.mode == wanted else img.convert(wanted)


def _flatten_on_white(img: Image.Image) -> Image.Image:
    # Transparent pixels often hide black RGB values; on a white page white is the least surprising fill
    rgba = img.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _to_srgb(img: Image.Image) -> Image.Image:
    """Apply an embedded ICC profile (e.g. Display P3 from phones, CMYK print profiles) so colours stay right."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    output_mode = "RGBA" if img.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            img, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, *_DECODE_ERRORS):
        return img  # an unusable profile is ignored; the pixels are still fine as they are
    return converted if converted is not None else img


def _looks_like_other_image(data: bytes) -> bool:
    if data.startswith(_OTHER_IMAGE_MAGIC):
        return True
    if data[4:8] == b"ftyp":  # HEIC/HEIF/AVIF, as sent by phones
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and b"<svg" in head


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size a WebP file declares, read from its first chunk without decoding."""
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    return None

