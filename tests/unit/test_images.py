"""Image intake: only JPEG, PNG and WebP get in, bounded, and nothing but their pixels comes out.

Every test image is made here with Pillow (or written byte by byte where Pillow would need too much memory).
"""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from flask import Flask
from flask_babel import Babel
from flask_babel.speaklater import LazyString
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from stengage.core.images import ImageRejected, ProcessedImage, accept_image, thumbnail

MAKE, MODEL, ORIENTATION, GPS_INFO = 0x010F, 0x0110, 0x0112, 0x8825


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **params)
    return out.getvalue()


def decode(processed: ProcessedImage) -> Image.Image:
    img = Image.open(io.BytesIO(processed.data))
    img.load()
    return img


def two_colour(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue, so rotations can be seen in the pixels."""
    img = Image.new(mode, size, (255, 0, 0, 255) if mode == "RGBA" else (255, 0, 0))
    img.paste((0, 0, 255, 255) if mode == "RGBA" else (0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return img


def is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 200 and pixel[2] < 60


def is_blue(pixel: tuple[int, ...]) -> bool:
    return pixel[2] > 200 and pixel[0] < 60


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG written by hand, row by row.

    Pillow keeps mode "1" at one byte per pixel, so Image.new("1", (20000, 20000)) would take 400 MB;
    this stays at one 2.5 kB row in memory and compresses to a few dozen kB.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(1)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any image data gets decoded."""

    def refuse(_self: ImageFile.ImageFile) -> None:
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.fixture
def babel_app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app)
    return app


# --- privacy: nothing but pixels survives -------------------------------------------------------------------


def test_jpeg_with_gps_exif_comes_out_without_any_exif() -> None:
    exif = Image.Exif()
    exif[MAKE] = "SpyCam Industries"
    exif[MODEL] = "Pocket 3000"
    exif[GPS_INFO] = {1: "N", 2: (48.0, 12.0, 30.0), 3: "E", 4: (16.0, 22.0, 10.0)}
    data = encode(two_colour((64, 48)), "JPEG", exif=exif, comment=b"taken at my home address")
    data += b"TRAILING-SECRET"  # data after the end-of-image marker
    uploaded = Image.open(io.BytesIO(data)).getexif()
    assert uploaded.get_ifd(GPS_INFO)[1] == "N" and uploaded[MAKE] == "SpyCam Industries"  # the input has it

    result = accept_image(data)

    out = decode(result)
    assert out.format == "JPEG"
    assert dict(out.getexif()) == {}
    assert "exif" not in out.info and "comment" not in out.info
    for secret in (b"Exif", b"SpyCam", b"Pocket", b"home address", b"TRAILING-SECRET"):
        assert secret not in result.data
    assert (result.suffix, result.content_type, result.width, result.height) == (".jpg", "image/jpeg", 64, 48)


def test_xmp_icc_and_text_chunks_are_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>secret-xmp</rdf:Description></x:xmpmeta>'
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-text")
    text.add_itxt("Author", "secret-author")

    uploads = [
        encode(two_colour((40, 30)), "JPEG", icc_profile=srgb, xmp=xmp),
        encode(two_colour((40, 30)), "PNG", pnginfo=text, icc_profile=srgb),
        encode(two_colour((40, 30)), "WEBP", icc_profile=srgb, xmp=xmp, exif=b"Exif\0\0secret"),
    ]
    for upload in uploads:  # the inputs really carry the metadata
        assert b"secret" in upload and "icc_profile" in Image.open(io.BytesIO(upload)).info

    for result in map(accept_image, uploads):
        out = decode(result)
        assert not {"icc_profile", "xmp", "exif", "Comment", "Author"} & set(out.info)
        for secret in (b"secret", b"xmpmeta", b"iCCP", b"ICCP", b"tEXt", b"iTXt", b"EXIF", b"XMP "):
            assert secret not in result.data


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90° clockwise to display"
    data = encode(two_colour((300, 200)), "JPEG", exif=exif, quality=95)

    result = accept_image(data)

    out = decode(result).convert("RGB")
    assert (result.width, result.height) == out.size == (200, 300)
    assert is_red(out.getpixel((100, 40)))  # the left half is now on top
    assert is_blue(out.getpixel((100, 260)))
    assert ORIENTATION not in out.getexif()


# --- formats are sniffed from the bytes ----------------------------------------------------------------------


def test_text_file_renamed_png_is_refused() -> None:
    with pytest.raises(ImageRejected) as caught:
        accept_image(b"Dear council, please fix the street lights.\n")  # the name "photo.png" never gets here
    assert caught.value.reason == "unreadable"


def test_svg_is_refused() -> None:
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ImageRejected) as caught:
        accept_image(svg)
    assert caught.value.reason == "format"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_formats_are_refused(fmt: str) -> None:
    with pytest.raises(ImageRejected) as caught:
        accept_image(encode(two_colour((32, 32)), fmt))
    assert caught.value.reason == "format"


def test_png_signature_with_garbage_is_refused() -> None:
    with pytest.raises(ImageRejected) as caught:
        accept_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    assert caught.value.reason == "unreadable"


def test_truncated_jpeg_is_refused() -> None:
    data = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    with pytest.raises(ImageRejected) as caught:
        accept_image(data[: len(data) // 2])
    assert caught.value.reason == "unreadable"


def test_empty_upload_is_refused() -> None:
    with pytest.raises(ImageRejected):
        accept_image(b"")


# --- size limits ---------------------------------------------------------------------------------------------


def test_huge_png_is_refused_without_decoding(no_decoding: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bilevel_png(20_000, 20_000)
    assert len(data) < 1_000_000
    with monkeypatch.context() as unlimited:  # only to show the file really claims 20000 x 20000
        unlimited.setattr(Image, "MAX_IMAGE_PIXELS", None)
        assert Image.open(io.BytesIO(data)).size == (20_000, 20_000)

    with pytest.raises(ImageRejected) as caught:
        accept_image(data)
    assert caught.value.reason == "too_many_pixels"


def test_our_pixel_limit_applies_below_pillows_own(no_decoding: None) -> None:
    data = bilevel_png(8_000, 6_000)  # 48 megapixels: over our 40, under Pillow's 89
    with pytest.raises(ImageRejected) as caught:
        accept_image(data)
    assert caught.value.reason == "too_many_pixels"


def test_pillow_bomb_warning_counts_as_refusal(no_decoding: None) -> None:
    # 100 megapixels is over Pillow's warning threshold (89) but under its error threshold (179)
    with pytest.raises(ImageRejected) as caught:
        accept_image(bilevel_png(10_000, 10_000), max_pixels=200_000_000)
    assert caught.value.reason == "too_many_pixels"


def test_max_pixels_is_configurable() -> None:
    data = encode(two_colour((100, 100)), "PNG")
    with pytest.raises(ImageRejected) as caught:
        accept_image(data, max_pixels=9_999)
    assert caught.value.reason == "too_many_pixels"
    assert accept_image(data, max_pixels=10_000).width == 100


def test_webp_canvas_size_is_checked_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    data = bytearray(encode(two_colour((16, 16)), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L"
    declared = 9_999 | (9_999 << 14)  # width-1 and height-1, 14 bits each: 10000 x 10000
    bits = int.from_bytes(data[21:25], "little")
    data[21:25] = ((bits & ~0x0FFFFFFF) | declared).to_bytes(4, "little")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Pillow was asked to open the file")

    monkeypatch.setattr(Image, "open", refuse)
    with pytest.raises(ImageRejected) as caught:
        accept_image(bytes(data))
    assert caught.value.reason == "too_many_pixels"


def test_eleven_megabytes_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Pillow was asked to open the file")

    monkeypatch.setattr(Image, "open", refuse)
    with pytest.raises(ImageRejected) as caught:
        accept_image(b"\xff\xd8\xff\xe0" + bytes(11 * 1024 * 1024))
    assert caught.value.reason == "too_large"
    assert str(caught.value) == "The image is larger than 10 MB."


def test_big_jpeg_is_downscaled_to_max_side() -> None:
    result = accept_image(encode(two_colour((4000, 3000)), "JPEG"))
    out = decode(result)
    assert out.format == "JPEG"
    assert (result.width, result.height) == out.size == (2560, 1920)
    assert out.info.get("progressive") == 1


def test_portrait_png_is_downscaled_on_its_long_side() -> None:
    result = accept_image(encode(two_colour((300, 900)), "PNG"), max_side=450)
    assert (result.width, result.height) == (150, 450)


def test_small_images_are_not_enlarged() -> None:
    result = accept_image(encode(two_colour((20, 10)), "PNG"))
    assert (result.width, result.height) == (20, 10)


# --- formats and modes ---------------------------------------------------------------------------------------


def test_webp_round_trip_keeps_format_and_transparency() -> None:
    img = two_colour((60, 40), "RGBA")
    img.putpixel((0, 0), (0, 0, 0, 0))
    result = accept_image(encode(img, "WEBP", lossless=True))
    out = decode(result)
    assert (out.format, out.mode, result.suffix, result.content_type) == ("WEBP", "RGBA", ".webp", "image/webp")
    assert out.getpixel((0, 0))[3] < 30
    assert out.getpixel((30, 20))[3] == 255


def test_png_round_trip_keeps_format_and_transparency() -> None:
    img = two_colour((60, 40), "RGBA")
    img.putpixel((0, 0), (0, 0, 0, 0))
    result = accept_image(encode(img, "PNG"))
    out = decode(result)
    assert (out.format, out.mode, result.suffix, result.content_type) == ("PNG", "RGBA", ".png", "image/png")
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((10, 10)) == (255, 0, 0, 255)


def test_palette_png_with_transparency_becomes_rgba() -> None:
    img = Image.new("P", (20, 20), 1)
    img.putpalette([0, 0, 0, 255, 0, 0])
    result = accept_image(encode(img, "PNG", transparency=0))
    out = decode(result)
    assert out.mode == "RGBA"
    assert out.getpixel((5, 5)) == (255, 0, 0, 255)


def test_cmyk_jpeg_becomes_rgb() -> None:
    out = decode(accept_image(encode(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG")))
    assert out.mode == "RGB"
    assert is_red(out.getpixel((10, 10)))


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped() -> None:
    out = decode(accept_image(encode(Image.new("I;16", (10, 10), 32_768), "PNG")))
    assert out.mode == "L"
    assert out.getpixel((5, 5)) == 128


# --- thumbnails ----------------------------------------------------------------------------------------------


def test_thumbnail_is_a_small_webp() -> None:
    result = thumbnail(encode(two_colour((1200, 800)), "JPEG"))
    out = decode(result)
    assert (out.format, result.suffix, result.content_type) == ("WEBP", ".webp", "image/webp")
    assert (result.width, result.height) == out.size == (480, 320)


def test_thumbnail_keeps_transparency_and_size_argument() -> None:
    img = two_colour((200, 100), "RGBA")
    img.putpixel((0, 0), (0, 0, 0, 0))
    result = thumbnail(encode(img, "PNG"), size=64)
    out = decode(result)
    assert out.mode == "RGBA" and out.size == (64, 32)


def test_thumbnail_refuses_what_accept_image_refuses() -> None:
    with pytest.raises(ImageRejected):
        thumbnail(encode(two_colour((32, 32)), "GIF"))


# --- messages ------------------------------------------------------------------------------------------------


def test_messages_are_lazy_and_translatable(babel_app: Flask) -> None:
    with pytest.raises(ImageRejected) as caught:
        accept_image(encode(two_colour((8, 8)), "GIF"))
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error.message, LazyString)
    with babel_app.test_request_context():
        assert str(error) == "Only JPEG, PNG and WebP images are accepted."


def test_size_message_names_the_limit(babel_app: Flask) -> None:
    with pytest.raises(ImageRejected) as caught:
        accept_image(bytes(3 * 1024 * 1024 + 1), max_bytes=3 * 1024 * 1024)
    with babel_app.app_context():
        assert str(caught.value) == "The image is larger than 3 MB."
