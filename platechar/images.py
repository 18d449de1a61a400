"""Turn anything a user calls an image into the one kind of image platechar works on.

Every stage takes a contiguous ``uint8`` BGR array of shape ``(H, W, 3)`` (OpenCV's
convention). :func:`load_image` is the only place that reads files or bytes and the only
place that converts arrays, so every entry point (``detect``, ``read``, ``recognize``, the
CLI) accepts the same inputs and refuses bad ones with the same :class:`ImageError`
messages, instead of an OpenCV assertion deep inside a stage.

The rules:

* Files (``str`` or ``pathlib.Path``, non-ASCII names included), ``bytes`` /
  ``bytearray`` / ``memoryview``, and binary file objects (anything with ``.read()``)
  must hold a JPEG, PNG, BMP, TIFF or WebP image. The header is checked before any
  pixel is decoded: the size must be within ``MIN_IMAGE_SIDE`` and ``MAX_IMAGE_PIXELS``,
  and a JPEG without its end marker or a PNG without its ``IEND`` chunk is refused as
  truncated. EXIF orientation (JPEG, PNG, WebP) is applied, as photo viewers do.
* Arrays may be ``(H, W)`` gray, ``(H, W, 1)``, ``(H, W, 3)`` BGR or ``(H, W, 4)`` BGRA.
  ``uint8`` is used as is; ``uint16`` keeps its high byte (``>> 8``); floats must be
  finite and in 0..1 (small overshoots are clipped; values beyond -0.5..1.5 are refused,
  as they are almost always 0..255 data); other integer dtypes are accepted when every
  value is already in 0..255. bool, complex, object and string arrays are refused.
* Gray becomes three equal channels. Alpha is composited onto white, as a transparent
  PNG looks on a page; an alpha channel that is zero everywhere is taken for the unused
  padding byte of a BGRX frame and dropped.
* The result never shares memory with the input, so callers may draw on it.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import cv2
import numpy as np

from platechar.errors import ImageError

MAX_IMAGE_PIXELS = 100_000_000
"""Largest image accepted, in pixels (width x height): 100 megapixels, about 300 MB as BGR."""

MIN_IMAGE_SIDE = 8
"""Smallest width or height accepted, in pixels; nothing smaller can hold a readable plate."""

FILE_FORMATS = ("JPEG", "PNG", "BMP", "TIFF", "WebP")

_ACCEPTED_SOURCES = (
    "a file path (str or pathlib.Path), the file's bytes, a binary file object, or a numpy "
    "array (H, W) gray, (H, W, 3) BGR or (H, W, 4) BGRA"
)
_ACCEPTED_SHAPES = "(H, W) gray, (H, W, 1), (H, W, 3) BGR or (H, W, 4) BGRA"
_ACCEPTED_DTYPES = "uint8, uint16, float in 0..1, or other integers within 0..255"
_FLOAT_SLACK = 0.5
_EXIF_ORIENTATION_TAG = 0x0112
# EXIF orientation -> how to turn the stored pixels upright (same result as Pillow's
# ImageOps.exif_transpose).
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}


def load_image(source) -> np.ndarray:
    """Return ``source`` as a new contiguous ``uint8`` BGR array of shape ``(H, W, 3)``.

    ``source`` may be a path, encoded bytes, a binary file object or a numpy array; see
    the module docstring for the exact rules. Raises :class:`platechar.ImageError`, with
    a message naming the input, for anything that is not a usable image.
    """
    if isinstance(source, np.ndarray):
        pixels = _from_array(source, _describe_array(source))
        return pixels.copy() if np.may_share_memory(pixels, source) else pixels
    if isinstance(source, str) and not source.strip():
        raise ImageError(f"the image path is empty; pass the path of a {_formats()} file")
    if isinstance(source, (str, os.PathLike)):
        return _from_path(Path(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _decode(data, f"the given {type(source).__name__} ({len(data):,} bytes)")
    if callable(getattr(source, "read", None)):
        return _from_file_object(source)
    raise ImageError(f"cannot use a {type(source).__name__} as an image; pass {_ACCEPTED_SOURCES}")


def _from_path(path: Path) -> np.ndarray:
    name = f"'{path}'"
    try:
        data = path.read_bytes()
    except OSError as exc:
        if path.is_dir():
            problem = f"is a directory; pass the path of one {_formats()} file"
        elif not path.exists():
            where = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
            problem = f"does not exist{where}; check the path"
        else:
            problem = f"cannot be read: {exc.strerror or exc}"
        raise ImageError(f"{name} {problem}") from None
    return _decode(data, name)


def _from_file_object(stream) -> np.ndarray:
    file_name = getattr(stream, "name", None)
    name = f"'{file_name}'" if isinstance(file_name, str) else f"the {type(stream).__name__}"
    text_mode = ImageError(f"{name} is open in text mode; open it in binary mode ('rb')")
    if isinstance(stream, io.TextIOBase):
        raise text_mode
    try:
        data = stream.read()
    except UnicodeDecodeError:
        raise text_mode from None
    except (OSError, ValueError) as exc:  # closed, not readable, I/O error
        raise ImageError(f"{name} cannot be read: {exc}") from None
    if isinstance(data, str):
        raise text_mode
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError(f"{name}.read() returned a {type(data).__name__}, not bytes")
    return _decode(bytes(data), name)


def _decode(data: bytes, name: str) -> np.ndarray:
    """Check the header (format, size, completeness), then decode with OpenCV."""
    if not data:
        raise ImageError(f"{name} is empty (0 bytes); expected a {_formats()} image")
    file_format = _sniff_format(data)
    if file_format not in FILE_FORMATS:
        what = f"a {file_format} file" if file_format else f"not an image (it starts {data[:12]!r})"
        raise ImageError(f"{name} is {what}; platechar reads {_formats()} files")
    header = _read_header(data, file_format, name)
    width, height = header.size
    _check_size(width, height, name)
    if _is_truncated(data, file_format):
        raise ImageError(
            f"{name} is truncated: the {file_format} data stops before the end of the image "
            "(an interrupted download or copy?)"
        )
    try:
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:  # most OpenCV versions return None instead; some raise
        pixels = None
    if pixels is None:
        raise ImageError(f"{name} is a corrupt {file_format} file: its pixels cannot be decoded")
    orientation = _exif_orientation(header)
    if orientation in _ORIENT:
        pixels = _ORIENT[orientation](pixels)
    return _from_array(pixels, name)


def _sniff_format(data: bytes) -> str | None:
    """The file format, from the first bytes ("magic numbers"), whatever the file name."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"BM"):
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[:6] in (b"GIF87a", b"GIF89a"):  # known but not read: named in the error
        return "GIF"
    if data[4:8] == b"ftyp":
        return "HEIF/AVIF"
    return None


def _read_header(data: bytes, file_format: str, name: str):
    """Parse only the header with Pillow's reader for ``file_format`` (no pixels decoded).

    The plugin class is used directly rather than ``Image.open`` so that the size of a
    huge image can be reported (``Image.open`` raises its own decompression-bomb error).
    """
    from PIL import BmpImagePlugin, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

    readers = {
        "JPEG": JpegImagePlugin.JpegImageFile,
        "PNG": PngImagePlugin.PngImageFile,
        "BMP": BmpImagePlugin.BmpImageFile,
        "TIFF": TiffImagePlugin.TiffImageFile,
    }
    try:
        if file_format == "WebP":
            from PIL import WebPImagePlugin

            reader = WebPImagePlugin.WebPImageFile
        else:
            reader = readers[file_format]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Corrupt EXIF data": we decide below
            return reader(io.BytesIO(data))
    except Exception as exc:  # Pillow signals a bad header with many exception types
        raise ImageError(
            f"{name}: its {file_format} header cannot be read ({exc}); the file is corrupt "
            f"or uses a {file_format} variant platechar does not read"
        ) from None


def _is_truncated(data: bytes, file_format: str) -> bool:
    """True when a JPEG or PNG stops early (OpenCV 4 would decode it with a grey bottom)."""
    if file_format == "JPEG":  # the end-of-image marker must follow the last scan
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if file_format == "PNG":  # the IEND chunk: length 0, type, fixed CRC
        return b"\x00\x00\x00\x00IEND\xaeB`\x82" not in data
    return False  # OpenCV refuses the other formats when they are cut short


def _exif_orientation(header) -> int:
    if "exif" not in header.info:  # reading it otherwise could decode the whole image
        return 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(header.getexif().get(_EXIF_ORIENTATION_TAG, 1))
    except Exception:  # unreadable EXIF: keep the pixels as stored
        return 1


def _from_array(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype.kind not in "uif":
        raise ImageError(f"{name}: dtype {array.dtype} is not usable; accepted: {_ACCEPTED_DTYPES}")
    if array.ndim == 3 and array.shape[2] in (1, 3, 4):
        channels = array.shape[2]
    elif array.ndim == 2:
        channels = 1
    else:
        raise ImageError(f"{name}: shape {array.shape} is not usable; accepted: {_ACCEPTED_SHAPES}")
    height, width = array.shape[:2]
    _check_size(width, height, name)
    pixels = _to_uint8(array, name)
    if channels == 1:
        return np.repeat(pixels.reshape(height, width, 1), 3, axis=2)
    if channels == 4:
        return _remove_alpha(pixels)
    return np.ascontiguousarray(pixels)


def _check_size(width: int, height: int, name: str) -> None:
    if width == 0 or height == 0:
        raise ImageError(f"{name} is empty ({width} x {height} pixels)")
    if min(width, height) < MIN_IMAGE_SIDE:
        raise ImageError(
            f"{name} is {width} x {height} pixels; each side must be at least {MIN_IMAGE_SIDE}"
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(
            f"{name} is {width} x {height} pixels ({width * height / 1e6:.1f} megapixels), "
            f"more than the limit of {MAX_IMAGE_PIXELS / 1e6:g} megapixels "
            "(platechar.MAX_IMAGE_PIXELS); downscale it first"
        )


def _to_uint8(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ImageError(f"{name} contains NaN or infinite values; float images must be 0..1")
        low, high = float(array.min()), float(array.max())
        if low < -_FLOAT_SLACK or high > 1 + _FLOAT_SLACK:
            raise ImageError(
                f"{name} has values from {low:g} to {high:g}; float images must be in 0..1 "
                "(for 0..255 data, pass array.astype(np.uint8))"
            )
        scaled = np.clip(array.astype(np.float32, copy=False), 0.0, 1.0) * 255.0 + 0.5
        return scaled.astype(np.uint8)
    low, high = int(array.min()), int(array.max())
    if low < 0 or high > 255:
        raise ImageError(
            f"{name} has values from {low} to {high}; integer images other than uint8 and "
            "uint16 must lie within 0..255"
        )
    return array.astype(np.uint8)


def _remove_alpha(bgra: np.ndarray) -> np.ndarray:
    """Composite onto white; an all-zero alpha is BGRX padding and is simply dropped."""
    alpha = bgra[:, :, 3]
    if not alpha.any() or alpha.min() == 255:
        return np.ascontiguousarray(bgra[:, :, :3])
    weight = alpha[:, :, None].astype(np.float32) / 255.0
    blended = bgra[:, :, :3] * weight + 255.0 * (1.0 - weight) + 0.5
    return blended.astype(np.uint8)


def _describe_array(array: np.ndarray) -> str:
    return f"the {array.dtype} array of shape {array.shape}"


def _formats() -> str:
    return ", ".join(FILE_FORMATS[:-1]) + " or " + FILE_FORMATS[-1]


def write_png(path: str | Path, image: np.ndarray) -> Path:
    """Save ``image`` (uint8 gray or BGR) as a PNG file; works for non-ASCII paths, unlike
    ``cv2.imwrite``. A failure is a PlatecharError naming the file."""
    from platechar.errors import PlatecharError

    path = Path(path)
    ok, encoded = cv2.imencode(".png", image)
    try:
        if not ok:
            raise OSError("OpenCV could not encode the image")
        path.write_bytes(encoded.tobytes())
    except OSError as exc:
        raise PlatecharError(f"cannot write '{path}': {getattr(exc, 'strerror', None) or exc}"
                             ) from None
    return path

