"""load_image: one test over every accepted kind of input, one over every refusal."""

from __future__ import annotations

import io
import struct
import zlib
from contextlib import ExitStack
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import smooth_bgr
from PIL import Image

from platechar import ImageError, load_image

REF = smooth_bgr()  # 24 x 32 BGR
HEIGHT, WIDTH = REF.shape[:2]
PHOTO = smooth_bgr(240, 320)  # big enough that a cut lands in the pixel data, past the header


def encode(image: np.ndarray, ext: str, *params: int) -> bytes:
    ok, buffer = cv2.imencode(ext, image, list(params))
    assert ok
    return buffer.tobytes()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def on_white(bgr: np.ndarray, alpha: float) -> np.ndarray:
    return (bgr * alpha + 255 * (1 - alpha) + 0.5).astype(np.uint8)


def jpeg_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.fromarray(REF[:, :, ::-1]).save(buffer, "JPEG", quality=98, exif=exif.tobytes())
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
        ">I", zlib.crc32(kind + payload))


def png_claiming_size(width: int, height: int) -> bytes:
    """A real small PNG whose IHDR (and its CRC) is patched to claim another size."""
    data = bytearray(encode(REF, ".png"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def png_with_garbage_pixels() -> bytes:
    """Valid signature, header and end chunk; the compressed pixel data is noise."""
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", bytes(range(7, 250))) + png_chunk(b"IEND", b""))


# (id, make(tmp_path, stack) -> source, expected BGR, largest allowed pixel error)
ACCEPTED = [
    ("str-path-png", lambda t, s: str(write(t / "a.png", encode(REF, ".png"))), REF, 0),
    ("pathlib-png", lambda t, s: write(t / "a.png", encode(REF, ".png")), REF, 0),
    ("non-ascii-path", lambda t, s: write(t / "plaque-numéro-车牌.png", encode(REF, ".png")),
     REF, 0),
    ("jpeg", lambda t, s: write(t / "a.jpg", encode(REF, ".jpg", cv2.IMWRITE_JPEG_QUALITY, 98)),
     REF, 12),
    ("jpeg-exif-rotated", lambda t, s: write(t / "r.jpg", jpeg_with_orientation(6)),
     np.rot90(REF, -1), 12),
    ("bmp", lambda t, s: write(t / "a.bmp", encode(REF, ".bmp")), REF, 0),
    ("tiff", lambda t, s: write(t / "a.tiff", encode(REF, ".tiff")), REF, 0),
    ("webp-lossless", lambda t, s: write(t / "a.webp", encode(REF, ".webp",
                                                              cv2.IMWRITE_WEBP_QUALITY, 101)),
     REF, 0),
    ("png-gray-16bit", lambda t, s: write(t / "g.png", encode(
        REF[:, :, 1].astype(np.uint16) * 257, ".png")), np.dstack([REF[:, :, 1]] * 3), 0),
    ("png-bgra-half-transparent", lambda t, s: write(t / "a.png", encode(
        np.dstack([REF, np.full((HEIGHT, WIDTH), 128, np.uint8)]), ".png")),
     on_white(REF, 128 / 255), 1),
    ("bytes", lambda t, s: encode(REF, ".png"), REF, 0),
    ("bytearray", lambda t, s: bytearray(encode(REF, ".png")), REF, 0),
    ("memoryview", lambda t, s: memoryview(encode(REF, ".png")), REF, 0),
    ("bytesio", lambda t, s: io.BytesIO(encode(REF, ".png")), REF, 0),
    ("open-file", lambda t, s: s.enter_context(open(write(t / "a.png", encode(REF, ".png")),
                                                    "rb")), REF, 0),
    ("array-bgr-uint8", lambda t, s: REF.copy(), REF, 0),
    ("array-gray-2d", lambda t, s: REF[:, :, 0].copy(), np.dstack([REF[:, :, 0]] * 3), 0),
    ("array-gray-hxwx1", lambda t, s: REF[:, :, :1].copy(), np.dstack([REF[:, :, 0]] * 3), 0),
    ("array-bgra-opaque", lambda t, s: np.dstack([REF, np.full((HEIGHT, WIDTH), 255, np.uint8)]),
     REF, 0),
    ("array-bgrx-zero-alpha", lambda t, s: np.dstack([REF, np.zeros((HEIGHT, WIDTH), np.uint8)]),
     REF, 0),
    ("array-bgra-transparent", lambda t, s: np.dstack([REF, np.zeros((HEIGHT, WIDTH), np.uint8)
                                                       + np.eye(HEIGHT, WIDTH, dtype=np.uint8)]),
     np.where(np.eye(HEIGHT, WIDTH, dtype=bool)[:, :, None], on_white(REF, 1 / 255), 255), 0),
    ("array-uint16", lambda t, s: REF.astype(np.uint16) * 256 + 255, REF, 0),
    ("array-float32-0..1", lambda t, s: REF.astype(np.float32) / 255, REF, 0),
    ("array-float64-overshoot", lambda t, s: np.where(REF == 255, 1.02, REF / 255), REF, 0),
    ("array-int64-0..255", lambda t, s: REF.astype(np.int64), REF, 0),
    ("array-not-contiguous", lambda t, s: np.ascontiguousarray(REF[:, ::-1])[:, ::-1], REF, 0),
    ("array-fortran-order", lambda t, s: np.asfortranarray(REF), REF, 0),
]


@pytest.mark.parametrize("make, expected, max_error", [case[1:] for case in ACCEPTED],
                         ids=[case[0] for case in ACCEPTED])
def test_every_accepted_kind_becomes_contiguous_uint8_bgr(tmp_path, make, expected, max_error):
    with ExitStack() as stack:
        source = make(tmp_path, stack)
        image = load_image(source)
    assert image.dtype == np.uint8
    assert image.shape == expected.shape
    assert image.flags.c_contiguous and image.flags.writeable
    error = np.abs(image.astype(int) - expected.astype(int))
    assert error.max() <= max_error, f"pixels differ by up to {error.max()}"
    if isinstance(source, np.ndarray):
        assert not np.shares_memory(image, source), "the caller's array must stay untouched"


def huge(shape, dtype=np.uint8) -> np.ndarray:
    return np.broadcast_to(np.zeros((), dtype), shape)  # no memory behind it


# (id, make(tmp_path, stack) -> source, words the message must contain)
REFUSED = [
    ("missing-path", lambda t, s: t / "nowhere.jpg", ["nowhere.jpg", "does not exist"]),
    ("empty-path-string", lambda t, s: "", ["path is empty"]),
    ("directory", lambda t, s: t, ["is a directory"]),
    ("empty-file", lambda t, s: write(t / "empty.jpg", b""), ["empty.jpg", "empty (0 bytes)"]),
    ("text-named-png", lambda t, s: write(t / "notes.png", b"hello, I am text\n"),
     ["notes.png", "not an image", "JPEG, PNG"]),
    ("gif-file", lambda t, s: write(t / "a.gif", b"GIF89a" + bytes(40)), ["a GIF file", "PNG"]),
    ("truncated-jpeg", lambda t, s: write(t / "cut.jpg", encode(PHOTO, ".jpg")[:-400]),
     ["cut.jpg", "truncated"]),
    ("truncated-png", lambda t, s: write(t / "cut.png", encode(REF, ".png")[:-40]),
     ["cut.png", "truncated"]),
    ("corrupt-jpeg-header", lambda t, s: write(t / "bad.jpg", b"\xff\xd8\xff" + bytes(200)),
     ["bad.jpg", "JPEG header cannot be read", "corrupt"]),
    ("corrupt-png-pixels", lambda t, s: write(t / "bad.png", png_with_garbage_pixels()),
     ["bad.png", "corrupt PNG", "cannot be decoded"]),
    ("huge-by-header-png", lambda t, s: write(t / "huge.png", png_claiming_size(20000, 20000)),
     ["huge.png", "20000 x 20000", "400.0 megapixels", "MAX_IMAGE_PIXELS"]),
    ("tiny-png-file", lambda t, s: write(t / "dot.png", encode(REF[:1, :1], ".png")),
     ["1 x 1", "at least 8"]),
    ("empty-bytes", lambda t, s: b"", ["bytes", "empty"]),
    ("text-mode-file", lambda t, s: s.enter_context(open(write(t / "a.png", b"x"))),
     ["text mode", "'rb'"]),
    ("empty-array", lambda t, s: np.zeros((0, 0), np.uint8), ["empty"]),
    ("one-pixel-array", lambda t, s: np.zeros((1, 1, 3), np.uint8), ["1 x 1", "at least 8"]),
    ("bool-array", lambda t, s: np.zeros((16, 16), bool), ["dtype bool", "uint8"]),
    ("complex-array", lambda t, s: np.zeros((16, 16), complex), ["dtype complex128"]),
    ("object-array", lambda t, s: np.full((16, 16), None, object), ["dtype object"]),
    ("string-array", lambda t, s: np.full((16, 16), "a"), ["dtype <U1"]),
    ("nan-float", lambda t, s: np.full((16, 16), np.nan, np.float32), ["NaN"]),
    ("inf-float", lambda t, s: np.full((16, 16), np.inf), ["infinite"]),
    ("float-0..255", lambda t, s: REF.astype(np.float32), ["0..1", "astype(np.uint8)"]),
    ("int-out-of-range", lambda t, s: REF.astype(np.int32) - 100, ["from -70 to", "0..255"]),
    ("five-channels", lambda t, s: np.zeros((16, 16, 5), np.uint8), ["(16, 16, 5)", "BGRA"]),
    ("two-channels", lambda t, s: np.zeros((16, 16, 2), np.uint8), ["(16, 16, 2)", "gray"]),
    ("4d-array", lambda t, s: np.zeros((2, 16, 16, 3), np.uint8), ["(2, 16, 16, 3)"]),
    ("1d-array", lambda t, s: np.zeros(64, np.uint8), ["(64,)"]),
    ("array-over-limit", lambda t, s: huge((12000, 9000, 3)),
     ["9000 x 12000", "108.0 megapixels", "limit of 100 megapixels"]),
    ("int", lambda t, s: 5, ["cannot use a int", "file path"]),
    ("list", lambda t, s: [[0, 1], [2, 3]], ["cannot use a list", "numpy array"]),
    ("none", lambda t, s: None, ["cannot use a NoneType"]),
]


@pytest.mark.parametrize("make, words", [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_every_refusal_is_an_image_error_that_says_why(tmp_path, make, words):
    with ExitStack() as stack:
        source = make(tmp_path, stack)
        with pytest.raises(ImageError) as caught:
            load_image(source)
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
