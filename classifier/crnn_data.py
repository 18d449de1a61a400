"""Training data for the CRNN: labelled crops from files, augmentation, a Keras PyDataset.

Two kinds of source feed :class:`CrnnDataset`, mixed in every batch:

* a **pool** of ready crops at the network's input size (gray ``uint8``,
  ``(n, height, width)``), e.g. synthetic plates made by ``platechar.synth`` (see
  ``platechar.training.crnn_data``); each draw gets a light jitter (shift, scale, blur,
  contrast) so that epochs over one pool do not repeat pixel for pixel;
* **labelled crops** of any size (a user's own plates, or the real benchmark crops),
  augmented heavily on every draw (:func:`augment_crop`), because there are usually few.

``classifier`` does not import ``platechar``: whatever makes synthetic plates passes
them in as arrays. Files are read here with OpenCV (training only).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from classifier.crnn import ALPHABET, PAD, standardize

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")


class DataError(ValueError):
    """A labelled-crop folder or CSV that cannot be used (with the reason)."""


@dataclass
class LabelledCrops:
    """Gray ``uint8`` crops of any size with their texts.

    ``boxes``, when known, holds for each crop its characters' ``(x, y, w, h)`` boxes in
    reading order (one per character of the text), or ``None`` for a crop whose
    characters were not found one by one; :func:`rearrange_characters` needs them.
    """

    images: list[np.ndarray]
    texts: list[str]
    names: list[str]
    boxes: list[np.ndarray | None] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def split(self, fraction: float, seed: int = 0) -> tuple[LabelledCrops, LabelledCrops]:
        """(rest, held out): about ``fraction`` of the crops held out, chosen by seed."""
        order = np.random.default_rng(seed).permutation(len(self))
        cut = int(round(len(self) * fraction))

        def pick(idx) -> LabelledCrops:
            return LabelledCrops([self.images[i] for i in idx], [self.texts[i] for i in idx],
                                 [self.names[i] for i in idx],
                                 None if self.boxes is None else [self.boxes[i] for i in idx])

        return pick(sorted(order[cut:])), pick(sorted(order[:cut]))


def clean_label(text: str, max_len: int, source: str) -> str:
    """Upper-case, spaces and dashes removed; refuse other characters and long labels."""
    label = text.strip().upper().replace(" ", "").replace("-", "")
    bad = sorted({c for c in label if c not in ALPHABET})
    if not label or bad:
        raise DataError(f"{source}: label {text!r} is empty or has characters outside "
                        f"0-9A-Z ({''.join(bad)})")
    if len(label) > max_len:
        raise DataError(f"{source}: label {label!r} is longer than {max_len} characters")
    return label


def label_from_name(path: Path) -> str:
    """The label in a file name, as many plate datasets name files: the stem up to the
    first ``_`` (``7ABC123_0004.jpg`` -> ``7ABC123``; ``7ABC123.png`` -> ``7ABC123``)."""
    return path.stem.split("_")[0]


def list_labelled_crops(source: str | Path, max_len: int = 10) -> list[tuple[Path, str]]:
    """``(image path, label)`` pairs from a ``filename,text`` CSV or a folder of images
    named after their labels. CSV file names are relative to the CSV's folder; a first
    row ``filename,text`` is a header and skipped."""
    source = Path(source)
    pairs: list[tuple[Path, str]] = []
    if source.is_file() and source.suffix.lower() == ".csv":
        with open(source, newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.reader(handle), start=1):
                if not row or not "".join(row).strip():
                    continue
                if n == 1 and [c.strip().lower() for c in row[:2]] == ["filename", "text"]:
                    continue
                if len(row) < 2:
                    raise DataError(f"{source}:{n}: expected 'filename,text', got {row!r}")
                where = f"{source}:{n}"
                pairs.append((source.parent / row[0].strip(),
                              clean_label(row[1], max_len, where)))
    elif source.is_dir():
        for path in sorted(source.iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                pairs.append((path, clean_label(label_from_name(path), max_len, str(path))))
    else:
        raise DataError(f"{source}: give a folder of images named after their labels or a "
                        "'filename,text' CSV")
    if not pairs:
        raise DataError(f"{source}: no labelled crops found")
    return pairs


def load_labelled_crops(pairs: Sequence[tuple[str | Path, str]], *, height: int = 32,
                        width: int = 128) -> LabelledCrops:
    """Read the images gray, kept at up to twice the input size (augmentation is cheaper
    on small images and the network never sees more detail than that)."""
    images, texts, names = [], [], []
    for path, text in pairs:
        data = np.fromfile(str(path), np.uint8) if Path(path).is_file() else None
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data is not None else None
        if image is None:
            raise DataError(f"{path}: missing or not a readable image")
        scale = min(1.0, 2 * height / image.shape[0], 2 * width / image.shape[1])
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        images.append(image)
        texts.append(text)
        names.append(Path(path).name)
    return LabelledCrops(images, texts, names)


# --- augmentation ------------------------------------------------------------------------


def augment_crop(image: np.ndarray, rng: np.random.Generator, height: int, width: int,
                 strength: float = 1.0) -> np.ndarray:
    """A randomly changed copy of a gray plate crop, resized to ``height x width``.

    One affine warp (rotation, shear, scale, per-side crop or margin as a detector would
    cut), then blur, brightness/contrast/gamma, noise and JPEG. ``strength`` 1 is heavy
    (for a few hundred real crops), ~0.3 light (a jitter for synthetic pools). Characters
    are never cut off: crops shrink by at most 6% a side, inside the plate's border.
    """
    h, w = image.shape[:2]
    s = strength
    # where the output's corners fall in the source: per-side crop (-) or margin (+)
    left, right = rng.uniform(-0.06, 0.08, 2) * s * w
    top, bottom = rng.uniform(-0.08, 0.12, 2) * s * h
    src_w, src_h = w + left + right, h + top + bottom
    angle = np.deg2rad(rng.uniform(-4, 4) * s)
    shear = rng.uniform(-0.15, 0.15) * s
    cx, cy = w / 2 - left / 2 + right / 2, h / 2 - top / 2 + bottom / 2
    # output pixel -> source pixel
    sx, sy = src_w / width, src_h / height
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1, shear], [0, 1]])
    lin = rot @ np.diag([sx, sy])
    offset = np.array([cx, cy]) - lin @ np.array([width / 2, height / 2])
    matrix = np.hstack([lin, offset[:, None]])
    border = cv2.BORDER_REPLICATE if rng.random() < 0.5 else cv2.BORDER_CONSTANT
    fill = float(rng.uniform(0, 255))
    out = cv2.warpAffine(image, matrix, (width, height),
                         flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=border, borderValue=fill).astype(np.float32)
    if rng.random() < 0.5 * s:
        sigma = rng.uniform(0.3, 1.2) * s
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if rng.random() < 0.2 * s:  # horizontal motion blur
        k = int(rng.integers(2, 4))
        out = cv2.blur(out, (k, 1))
    lo, hi = out.min(), out.max()
    if rng.random() < 0.8:
        contrast = rng.uniform(1 - 0.6 * s, 1 + 0.3 * s)
        out = (out - out.mean()) * contrast + out.mean() + rng.uniform(-60, 60) * s
    if rng.random() < 0.4 * s:
        gamma = np.exp(rng.uniform(-0.5, 0.5) * s)
        span = max(hi - lo, 1.0)
        out = lo + span * np.clip((out - lo) / span, 0, 1) ** gamma
    if rng.random() < 0.7 * s:
        out += rng.normal(0, rng.uniform(2, 14) * s, out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5 * s:
        quality = int(rng.integers(20, 90))
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


def rearrange_characters(image: np.ndarray, boxes: np.ndarray, text: str,
                          rng: np.random.Generator, *, width_ratio: float = 1.35
                          ) -> tuple[np.ndarray, str]:
    """A real crop with its characters moved among their own places, and its new text.

    A recurrent reader learns context as well as shapes: trained on plates whose letters
    and digits keep to a few formats, it reads a ``D`` among digits as ``0`` and an ``O``
    among letters as ``D``, however plain the glyph. Swapping a real plate's characters
    (``7BPD06`` -> ``D6P7B0``) keeps its font, paint and light but makes a sequence no
    format predicts, so only the shapes tell. Each character's box (``boxes``, ``(x, y,
    w, h)`` in reading order) is cut from one band of rows spanning all of them and
    pasted, stretched to fit, into another's place; characters swap only with ones of
    about their width (within ``width_ratio``), so a ``1`` is never stretched into a
    ``W``'s place. Returns the crop unchanged when there is nothing to swap.
    """
    boxes = np.asarray(boxes, dtype=int).reshape(-1, 4)
    n = len(text)
    if n < 2 or len(boxes) != n:
        return image, text
    widths = np.maximum(boxes[:, 2], 1).astype(float)

    def fits(source: int, slot: int) -> bool:
        ratio = widths[source] / widths[slot]
        return 1 / width_ratio <= ratio <= width_ratio

    order = list(range(n))  # order[slot] = the character drawn there
    for _ in range(2 * n):
        i, j = (int(k) for k in rng.integers(0, n, 2))
        if i != j and fits(order[j], i) and fits(order[i], j):
            order[i], order[j] = order[j], order[i]
    if order == list(range(n)):
        return image, text
    h = image.shape[0]
    top = max(0, int(boxes[:, 1].min()) - 1)
    bottom = min(h, int((boxes[:, 1] + boxes[:, 3]).max()) + 1)
    out = image.copy()
    for slot, source in enumerate(order):
        if slot == source:
            continue
        sx, _, sw, _ = boxes[source]
        tx, _, tw, _ = boxes[slot]
        patch = image[top:bottom, sx:sx + sw]
        if patch.size == 0 or tw < 1:
            continue
        out[top:bottom, tx:tx + tw] = cv2.resize(patch, (tw, bottom - top),
                                                 interpolation=cv2.INTER_LINEAR)
    return out, "".join(text[source] for source in order)


def resize_gray(image: np.ndarray, height: int, width: int) -> np.ndarray:
    if image.shape[:2] == (height, width):
        return image
    shrink = image.shape[0] > height or image.shape[1] > width
    return cv2.resize(image, (width, height),
                      interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def encode_labels(texts: Sequence[str], max_len: int) -> np.ndarray:
    """Texts -> int32 ``(n, max_len)`` alphabet indices padded with :data:`PAD`."""
    out = np.full((len(texts), max_len), PAD, np.int32)
    for row, text in zip(out, texts, strict=True):
        row[:len(text)] = [ALPHABET.index(c) for c in text]
    return out


def to_batch(images: Sequence[np.ndarray], height: int, width: int) -> np.ndarray:
    """Gray crops (any size) -> the network's float32 ``(n, height, width, 1)`` input."""
    stack = np.stack([resize_gray(im, height, width) for im in images])
    return standardize(stack)[..., None]


# --- the Keras dataset ---------------------------------------------------------------------


def make_dataset(*, pool_images: np.ndarray | None = None, pool_texts: Sequence[str] = (),
                 crops: LabelledCrops | None = None, crop_fraction: float = 0.0,
                 batch_size: int = 64, steps: int = 100, height: int = 32, width: int = 128,
                 max_len: int = 10, seed: int = 0, jitter: float = 0.3,
                 crop_strength: float = 1.0, rearrange: float = 0.0, **pydataset_kwargs):
    """A ``keras.utils.PyDataset`` of ``(x, y)`` batches for the CRNN's training view.

    Each batch holds ``round(batch_size * crop_fraction)`` augmented labelled crops and
    the rest drawn from the pool (jittered with strength ``jitter``). Batch ``i`` of epoch
    ``e`` is made from its own generator seeded ``(seed, e, i)``: reproducible, and new
    every epoch. With no crops, ``crop_fraction`` is ignored; with no pool, batches are
    all crops. ``rearrange`` is the chance that a labelled crop whose character boxes are
    known has its characters swapped about first (:func:`rearrange_characters`).
    ``pydataset_kwargs`` (``workers``, ``use_multiprocessing``...) go to Keras.
    """
    import keras

    have_pool = pool_images is not None and len(pool_images) > 0
    have_crops = crops is not None and len(crops) > 0
    if not have_pool and not have_crops:
        raise DataError("no training data: give a pool of crops, labelled crops, or both")
    if have_pool and len(pool_texts) != len(pool_images):
        raise DataError("the pool's images and texts differ in number")
    n_crops = batch_size if not have_pool else (
        int(round(batch_size * crop_fraction)) if have_crops else 0)
    pool_labels = encode_labels(pool_texts, max_len) if have_pool else None
    crop_labels = encode_labels(crops.texts, max_len) if have_crops else None

    class CrnnDataset(keras.utils.PyDataset):
        """Mixed, augmented CRNN batches (see :func:`make_dataset`)."""

        def __init__(self):
            super().__init__(**pydataset_kwargs)
            self.epoch = 0

        def __len__(self) -> int:
            return steps

        def __getitem__(self, i: int):
            if not 0 <= i < steps:
                raise IndexError(i)
            rng = np.random.default_rng([seed, self.epoch, i])
            images, labels = [], []
            if n_crops:
                for j in rng.integers(0, len(crops), n_crops):
                    image, label = crops.images[j], crop_labels[j]
                    boxes = crops.boxes[j] if crops.boxes is not None else None
                    if boxes is not None and rearrange > 0 and rng.random() < rearrange:
                        image, text = rearrange_characters(image, boxes, crops.texts[j], rng)
                        label = encode_labels([text], max_len)[0]
                    images.append(augment_crop(image, rng, height, width, crop_strength))
                    labels.append(label)
            for j in rng.integers(0, len(pool_images), batch_size - n_crops) if have_pool else ():
                image = pool_images[j]
                if jitter > 0 and rng.random() < 0.7:
                    image = augment_crop(image, rng, height, width, jitter)
                images.append(image)
                labels.append(pool_labels[j])
            order = rng.permutation(len(images))
            x = to_batch([images[k] for k in order], height, width)
            y = np.stack([labels[k] for k in order])
            return x, y

        def on_epoch_end(self) -> None:
            self.epoch += 1

    return CrnnDataset()
