"""Writing synthetic data to disk, in formats other tools read.

``crops`` (:func:`write_crops`), in ``OUT_DIR``:
    ``crop_0000000.png`` ...  the images;
    ``labels.csv``            ``filename,text`` (a header line, then one row per image);
    ``labels.jsonl``          one JSON object per image: ``filename``, ``text``, ``width``,
                              ``height``, ``style``, ``layout``, ``font``,
                              ``dark_on_light``, ``char_boxes`` ([x, y, w, h] per
                              character, reading order), ``quad`` (plate corners).

``chars`` (:func:`write_chars`), in ``OUT_DIR``:
    ``0/`` ... ``9/``, ``A/`` ... ``Z/``   one folder per class, all 36 always present (so
                              Keras' ``image_dataset_from_directory`` / ``flow_from_directory``
                              number the classes in ALPHABET order), each holding
                              ``<plate>_<position>.png``: 32x32 gray, white on black;
    ``labels.csv``            ``filename,text`` with ``filename`` relative to OUT_DIR.

``scenes`` (:func:`write_scenes`), in ``OUT_DIR``:
    ``scene_0000000.jpg`` ... the photos;
    ``scene_0000000.txt`` ... OpenALPR benchmark style, one line, tab-separated:
                              ``scene_0000000.jpg  x  y  w  h  TEXT``;
    ``labels.txt``            all those lines in one file;
    ``labels.jsonl``          everything: box, quad, char boxes, distractor boxes.

Images are written by the worker processes that make them; label files are written
in index order by the calling process, so they are identical for any worker count.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2

from platechar.alphabet import ALPHABET
from platechar.errors import DatasetError, PlatecharError
from platechar.synth.dataset import SynthSpec, iter_chars, make_item, map_items
from platechar.synth.png import encode_png

IMAGE_FORMATS = ("png", "jpg")
PNG_COMPRESSION = 1
"""The default zlib level of written PNGs. 1 is the fastest level that still compresses:
the SUB row filter, then ISA-L's deflate (:mod:`platechar.synth.png`; 256x64 crops:
0.21 ms, 29 KB), or, where the ``isal`` package is missing, OpenCV's zlib with
run-length matching only (0.45 ms, 30 KB). 0 stores the pixels as they are (0.05 ms,
48 KB); 2-9 use zlib's usual matching, slower and at level 9 about a tenth smaller.
Every level writes the same pixels."""
# OpenCV >= 4.10 lets the PNG row filter be chosen; older versions try them all.
_HAS_FILTER = hasattr(cv2, "IMWRITE_PNG_FILTER")
_PNG_FILTER_SUB = [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB] if _HAS_FILTER else []
_PNG_FILTER_NONE = [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE] if _HAS_FILTER else []


def _out_dir(out_dir) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PlatecharError(f"output path {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlatecharError(f"cannot create output folder {out}: {exc.strerror}") from None
    return out


def opencv_png_params(png_compression: int) -> list[int]:
    """``cv2.imencode`` parameters for a PNG at zlib level ``png_compression`` (0..9)."""
    if png_compression == 0:  # stored: a row filter would only cost time
        return [cv2.IMWRITE_PNG_COMPRESSION, 0, *_PNG_FILTER_NONE]
    if png_compression == 1:
        # Noisy crops gain nothing from LZ matching (RLE) or from trying every row filter
        # (SUB alone): measured on 256x64 crops, 0.45 ms and 29 KB a crop against
        # 0.82 ms and 27 KB for zlib's default filters, 1.24 ms at compression 3.
        return [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY,
                cv2.IMWRITE_PNG_STRATEGY_RLE, *_PNG_FILTER_SUB]
    return [cv2.IMWRITE_PNG_COMPRESSION, int(png_compression)]


def _imwrite(path: Path, img, fmt: str, quality: int = 95,
             png_compression: int = PNG_COMPRESSION) -> None:
    data = None
    if fmt == "png" and png_compression == 1:
        data = encode_png(img)  # the same filter, ISA-L's deflate: twice as fast as zlib's
    if data is None:
        params = ([cv2.IMWRITE_JPEG_QUALITY, int(quality)] if fmt == "jpg"
                  else opencv_png_params(png_compression))
        ok, data = cv2.imencode("." + fmt, img, params)
        if not ok:
            raise PlatecharError(f"could not encode {path.name}")
    with open(path, "wb") as f:
        f.write(data)  # the encoded buffer as is: no copy into a bytes object


MANIFEST = "synth.json"
"""The file each writer leaves beside its data: what made it (see :func:`write_manifest`)."""


def write_manifest(out: Path, spec: SynthSpec, count: int) -> None:
    """Write ``synth.json``: the settings and the fonts that made this folder's data.

    The same seed makes the same files only with the same fonts, and ``fonts="all"``
    takes whatever sans fonts the machine has installed; this records them, so that a
    model's sidecar (``platechar train chars`` copies the manifest of each folder it
    reads) says what its synthetic data was made with.
    """
    from platechar._version import __version__
    from platechar.synth.augment import PRESETS
    from platechar.synth.fonts import font_names

    preset = next((name for name, cfg in PRESETS.items() if cfg == spec.augment), "custom")
    manifest = {
        "kind": spec.kind, "count": int(count), "seed": int(spec.seed),
        "styles": {s.name: round(float(w), 4)
                   for s, w in zip(spec.styles, spec.weights, strict=True)},
        "augment": preset, "size": None if spec.size is None else list(spec.size),
        "fit": spec.fit, "char_size": spec.char_size,
        "fonts": {"source": spec.fonts, "names": font_names(spec.fonts)},
        "platechar_version": __version__,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")


def verify_label(text: str, char_boxes, width: int, height: int) -> None:
    """The checks every written label passes (they hold by construction)."""
    if not text or any(c not in ALPHABET for c in text):
        raise DatasetError(f"label {text!r} has characters outside ALPHABET")
    if len(char_boxes) != len(text):
        raise DatasetError(f"label {text!r} has {len(char_boxes)} character boxes")
    for x, y, w, h in char_boxes:
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > width or y + h > height:
            raise DatasetError(f"label {text!r}: box {(x, y, w, h)} outside the image")


def _write_item(spec_out, i, prefix: str):
    """Make item ``i``, check its label, write its image; returns (item, file name)."""
    spec, out, fmt, quality, png_compression = spec_out
    s = make_item(spec, i)
    h, w = s.image.shape[:2]
    verify_label(s.text, s.char_boxes, w, h)
    name = f"{prefix}_{i:07d}.{fmt}"
    _imwrite(out / name, s.image, fmt, quality, png_compression)
    return s, name


def _crop_job(spec_out, i):
    s, name = _write_item(spec_out, i, "crop")
    return {"filename": name, **s.to_dict()}


def _scene_job(spec_out, i):
    s, name = _write_item(spec_out, i, "scene")
    line = "\t".join([name, *(str(int(v)) for v in s.box), s.text])
    (spec_out[1] / f"scene_{i:07d}.txt").write_text(line + "\n")
    return {"filename": name, **s.to_dict()}


class _Bound:
    """A picklable ``fn(spec, i)`` carrying the output folder and format."""

    def __init__(self, job, spec, out, fmt, quality, png_compression):
        self.job, self.extra = job, (spec, out, fmt, quality, png_compression)

    def __call__(self, spec, i):
        return self.job(self.extra, i)


def _check(spec: SynthSpec, kind: str, count: int, fmt: str, quality: int = 95,
           png_compression: int = PNG_COMPRESSION) -> None:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise PlatecharError(f"JPEG quality must be an integer 1..100, got {quality!r}")
    if (isinstance(png_compression, bool) or not isinstance(png_compression, int)
            or not 0 <= png_compression <= 9):
        raise PlatecharError(
            f"PNG compression must be an integer 0..9, got {png_compression!r}")
    if spec.kind != kind:
        raise PlatecharError(f"this writer makes {kind}, the spec says {spec.kind}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise PlatecharError(f"count must be a positive integer, got {count!r}")
    if fmt not in IMAGE_FORMATS:
        raise PlatecharError(f"image format must be one of {IMAGE_FORMATS}, got {fmt!r}")


def write_crops(spec: SynthSpec, out_dir, count: int, workers: int = 1, fmt: str = "png",
                progress=None, quality: int = 95,
                png_compression: int = PNG_COMPRESSION) -> Path:
    """Write ``count`` crops, ``labels.csv`` and ``labels.jsonl`` into ``out_dir``.

    ``quality`` is the JPEG quality when ``fmt="jpg"``; ``png_compression`` the zlib
    level 0..9 when ``fmt="png"`` (see :data:`PNG_COMPRESSION`).
    """
    _check(spec, "crops", count, fmt, quality, png_compression)
    out = _out_dir(out_dir)
    (out / MANIFEST).unlink(missing_ok=True)  # an earlier run's, written again at the end
    fn = _Bound(_crop_job, spec, out, fmt, quality, png_compression)
    with open(out / "labels.csv", "w", newline="") as fcsv, \
            open(out / "labels.jsonl", "w") as fjson:
        writer = csv.writer(fcsv)
        writer.writerow(["filename", "text"])
        for row in map_items(spec, 0, count, workers, fn=fn):
            writer.writerow([row["filename"], row["text"]])
            fjson.write(json.dumps(row) + "\n")
            if progress:
                progress(1)
    write_manifest(out, spec, count)  # last: its presence says the data is whole
    return out


def write_scenes(spec: SynthSpec, out_dir, count: int, workers: int = 1, fmt: str = "jpg",
                 progress=None, quality: int = 95,
                 png_compression: int = PNG_COMPRESSION) -> Path:
    """Write ``count`` scenes with per-image OpenALPR ``.txt``, ``labels.txt``, ``labels.jsonl``."""
    _check(spec, "scenes", count, fmt, quality, png_compression)
    out = _out_dir(out_dir)
    (out / MANIFEST).unlink(missing_ok=True)  # an earlier run's, written again at the end
    fn = _Bound(_scene_job, spec, out, fmt, quality, png_compression)
    with open(out / "labels.txt", "w") as ftxt, open(out / "labels.jsonl", "w") as fjson:
        for row in map_items(spec, 0, count, workers, fn=fn, chunk=8):
            ftxt.write("\t".join([row["filename"], *(str(v) for v in row["box"]), row["text"]])
                       + "\n")
            fjson.write(json.dumps(row) + "\n")
            if progress:
                progress(1)
    write_manifest(out, spec, count)  # last: its presence says the data is whole
    return out


def write_chars(spec: SynthSpec, out_dir, count: int, workers: int = 1, progress=None,
                png_compression: int = PNG_COMPRESSION) -> Path:
    """Write ``count`` characters in one folder per class (all 36) plus ``labels.csv``."""
    _check(spec, "chars", count, "png", png_compression=png_compression)
    out = _out_dir(out_dir)
    (out / MANIFEST).unlink(missing_ok=True)  # an earlier run's, written again at the end
    for ch in ALPHABET:
        (out / ch).mkdir(exist_ok=True)
    with open(out / "labels.csv", "w", newline="") as fcsv:
        writer = csv.writer(fcsv)
        writer.writerow(["filename", "text"])
        for c in iter_chars(spec, 0, workers, count):
            rel = f"{c.label}/{c.plate_index:07d}_{c.position}.png"
            _imwrite(out / rel, c.image, "png", png_compression=png_compression)
            writer.writerow([rel, c.label])
            if progress:
                progress(1)
    write_manifest(out, spec, count)  # last: its presence says the data is whole
    return out


def read_crop_labels(out_dir) -> list[tuple[str, str]]:
    """Read back ``labels.csv``: ``[(filename, text), ...]``."""
    path = Path(out_dir) / "labels.csv"
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}") from None
    if not rows or rows[0] != ["filename", "text"]:
        raise DatasetError(f"{path} does not start with the header 'filename,text'")
    return [(r[0], r[1]) for r in rows[1:]]
