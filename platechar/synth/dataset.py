"""Making many items: seeds, parallel workers, in-memory batches, a Keras PyDataset.

Every item is made from its own random generator, seeded by ``(seed, kind, index)``:
item 17 of seed 3 is the same whether it is made alone, in a list of 1,000, by one
process or by eight. That is what keeps parallel generation deterministic.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import cv2
import numpy as np

from platechar.alphabet import ALPHABET
from platechar.errors import PlatecharError
from platechar.synth.augment import AugmentConfig, get_augment
from platechar.synth.crops import FITS, make_crop, parse_size
from platechar.synth.fonts import default_cache, discover_fonts
from platechar.synth.samples import PlateSample, SceneSample
from platechar.synth.scenes import make_scene
from platechar.synth.styles import PlateStyle, resolve_styles

KINDS = {"crops": 1, "chars": 2, "scenes": 3}


@dataclass(eq=False)
class CharSample:
    """One normalised character for the 36-class classifier.

    ``image`` is ``uint8`` (size, size), white on black, made by
    :func:`segmentation.normalize.normalize_character`; ``label`` one character of
    ALPHABET; ``plate_index`` / ``position`` say which plate and which character of it.
    """

    image: np.ndarray
    label: str
    plate_index: int
    position: int
    style: str = ""


@dataclass(frozen=True)
class SynthSpec:
    """Everything that defines a run: with an index, it makes exactly one item.

    Build it with :func:`make_spec`, which validates the user's choices.
    """

    kind: str
    seed: int
    styles: tuple[PlateStyle, ...]
    weights: tuple[float, ...]
    augment: AugmentConfig
    size: tuple[int, int] | None = None
    fit: str = "stretch"
    fonts: str = "all"
    char_size: int = 32


def make_spec(kind: str = "crops", seed: int = 0, styles=None, augment="default", size=None,
              fit: str = "stretch", fonts: str = "all", char_size: int = 32) -> SynthSpec:
    """Check and gather a run's settings (see :func:`generate_plates` for their meaning)."""
    if kind not in KINDS:
        raise PlatecharError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PlatecharError(f"seed must be a non-negative integer, got {seed!r}")
    if fit not in FITS:
        raise PlatecharError(f"fit must be one of {FITS}, got {fit!r}")
    if not isinstance(char_size, int) or not 8 <= char_size <= 512:
        raise PlatecharError(f"char_size must be an integer 8..512, got {char_size!r}")
    discover_fonts(fonts)  # validates the font source
    st, w = resolve_styles(styles)
    size = parse_size(size)
    if kind == "scenes" and size is not None and min(size) < 160:
        raise PlatecharError(f"scenes need at least 160x160 pixels, got {size[0]}x{size[1]}")
    return SynthSpec(kind=kind, seed=int(seed), styles=st, weights=w,
                     augment=get_augment(augment), size=size, fit=fit,
                     fonts=fonts, char_size=char_size)


def item_rng(spec: SynthSpec, index: int) -> np.random.Generator:
    """The random generator of item ``index`` of a run."""
    return np.random.default_rng([spec.seed, KINDS[spec.kind], int(index)])


def _style(spec: SynthSpec, rng: np.random.Generator) -> PlateStyle:
    cum = np.cumsum(spec.weights)
    i = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
    return spec.styles[min(i, len(spec.styles) - 1)]


def make_item(spec: SynthSpec, index: int):
    """Item ``index`` of a run: a PlateSample, a SceneSample or a list of CharSample."""
    rng = item_rng(spec, index)
    style = _style(spec, rng)
    fonts = discover_fonts(spec.fonts)
    cache = default_cache()
    if spec.kind == "scenes":
        return make_scene(style, rng, spec.augment, spec.size, fonts, cache, index=index)
    if spec.kind == "crops":
        return make_crop(style, rng, spec.augment, spec.size, spec.fit, fonts, cache, index=index)
    plate = make_crop(style, rng, spec.augment, None, "stretch", fonts, cache,
                      uniform_chars=True, index=index)
    return cut_characters(plate, rng, spec.char_size)


def cut_characters(sample: PlateSample, rng: np.random.Generator, size: int = 32,
                   jitter: float = 0.06) -> list[CharSample]:
    """Cut every character out of a crop as the segmentation stage will, then normalise.

    Each box gets a small margin (0-10% of its height) and each edge a random shift of
    up to ``jitter`` x height (segmentation is never pixel exact); the cut-out goes
    through :func:`segmentation.normalize.normalize_character`.
    """
    from segmentation.normalize import normalize_character

    gray = cv2.cvtColor(sample.image, cv2.COLOR_BGR2GRAY)
    H, W = gray.shape
    out = []
    for pos, (ch, (x, y, w, h)) in enumerate(zip(sample.text, sample.char_boxes, strict=True)):
        m = h * rng.uniform(0.0, 0.1)
        j = rng.uniform(-jitter, jitter, 4) * h
        x0 = int(np.clip(round(x - m + j[0]), 0, W - 1))
        y0 = int(np.clip(round(y - m + j[1]), 0, H - 1))
        x1 = int(np.clip(round(x + w + m + j[2]), x0 + 1, W))
        y1 = int(np.clip(round(y + h + m + j[3]), y0 + 1, H))
        img = normalize_character(gray[y0:y1, x0:x1], size,
                                  dark_on_light=sample.dark_on_light)
        out.append(CharSample(img, ch, sample.index, pos, sample.style))
    return out


# --- many items, possibly in parallel ----------------------------------------------


def _init_worker() -> None:
    cv2.setNumThreads(1)  # one process per core already; OpenCV threads would oversubscribe


def _context():
    # Not fork: a parent whose OpenCV (or TensorFlow) thread pool has run can deadlock a
    # forked child. Spawned workers cost ~0.5 s to start, once per run.
    return multiprocessing.get_context("spawn")


WORKERS_FAILED = (
    "the worker processes making synthetic data stopped. If this was called from a "
    "script, put the call under `if __name__ == \"__main__\":` (platechar starts its "
    "workers with 'spawn', which imports the script again in each worker), or pass "
    "workers=1. A worker may also have been killed, for example for lack of memory.")


def _starting_a_worker() -> bool:
    """True while a spawned worker imports its parent's script (CPython marks the
    process ``_inheriting`` then; its own check raises a RuntimeError a little later)."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def resolve_workers(workers: int | None) -> int:
    """``None`` or 0 -> one per CPU core; otherwise checked to be >= 1."""
    if workers is None or workers == 0:
        return max(1, os.cpu_count() or 1)
    if not isinstance(workers, int) or workers < 0:
        raise PlatecharError(f"workers must be a positive integer, got {workers!r}")
    return workers


def _chunks(start: int, stop: int, n: int) -> list[tuple[int, int]]:
    return [(a, min(a + n, stop)) for a in range(start, stop, n)]


def _make_range(args):
    spec, a, b, fn = args
    return [fn(spec, i) if fn else make_item(spec, i) for i in range(a, b)]


def map_items(spec: SynthSpec, start: int, stop: int, workers: int = 1, fn=None,
              chunk: int = 64) -> Iterator:
    """Yield ``fn(spec, i)`` (default: the item) for i in [start, stop), in order.

    With ``workers > 1`` chunks of indices go to a process pool; the order and the
    items are the same as with one worker.

    Raises:
        PlatecharError: when a worker process dies, for example because a script
            without an ``if __name__ == "__main__":`` guard asked for workers (each
            spawned worker runs the script again); a plain ``multiprocessing.Pool``
            would start new workers for ever and hang.
    """
    workers = resolve_workers(workers)
    if workers == 1 or stop - start <= chunk:
        for i in range(start, stop):
            yield fn(spec, i) if fn else make_item(spec, i)
        return
    if _starting_a_worker():
        # This is a worker re-running a script that has no __main__ guard: leave quietly
        # (no second traceback); the parent sees a dead worker and says what to do.
        raise SystemExit(1)
    jobs = [(spec, a, b, fn) for a, b in _chunks(start, stop, chunk)]
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_init_worker)
    try:
        for part in pool.map(_make_range, jobs):
            yield from part
    except BrokenProcessPool:
        raise PlatecharError(WORKERS_FAILED) from None
    finally:  # also when the caller stops early: drop the chunks not started yet
        pool.shutdown(wait=True, cancel_futures=True)


def generate_plates(n: int, seed: int = 0, styles=None, augment="default", size=None,
                    fit: str = "stretch", fonts: str = "all", workers: int = 1,
                    start: int = 0) -> list[PlateSample]:
    """Make ``n`` plate crops with their text and character boxes.

    Args:
        n: how many.
        seed: same seed, same crops (byte for byte, on the same machine and fonts).
        styles: ``None`` (the default mix), a style name, ``"us,eu"``, a list of names or
            :class:`PlateStyle`, or ``{name: weight}``.
        augment: ``"none"``, ``"light"``, ``"default"``, ``"heavy"`` or an
            :class:`AugmentConfig`.
        size: ``(width, height)`` / ``"128x32"`` for fixed-size crops, or ``None`` for
            the plate's own shape.
        fit: ``"stretch"`` or ``"pad"`` (see :func:`~platechar.synth.crops.make_crop`).
        fonts: ``"all"``, ``"bundled"`` (same on every machine) or ``"hershey"``.
        workers: processes to use (0 or None: one per core).
        start: index of the first item (items ``start .. start+n-1`` of the seed).
    """
    spec = make_spec("crops", seed, styles, augment, size, fit, fonts)
    return list(map_items(spec, start, start + _count(n), workers))


def iter_plates(seed: int = 0, styles=None, augment="default", size=None,
                fit: str = "stretch", fonts: str = "all", start: int = 0) -> Iterator[PlateSample]:
    """An endless stream of plate crops (items ``start, start+1, ...`` of the seed)."""
    spec = make_spec("crops", seed, styles, augment, size, fit, fonts)
    i = start
    while True:
        yield make_item(spec, i)
        i += 1


def generate_scenes(n: int, seed: int = 0, styles=None, augment="default", size=None,
                    fonts: str = "all", workers: int = 1, start: int = 0) -> list[SceneSample]:
    """Make ``n`` scenes, each a plate on a car in a cluttered picture (see scenes.py)."""
    spec = make_spec("scenes", seed, styles, augment, size, "stretch", fonts)
    return list(map_items(spec, start, start + _count(n), workers))


def iter_chars(spec: SynthSpec, start: int = 0, workers: int = 1,
               limit: int | None = None) -> Iterator[CharSample]:
    """Characters of plates ``start, start+1, ...``, in order, ``limit`` of them at most."""
    made = 0
    block = 4096
    i = start
    while limit is None or made < limit:
        need = None if limit is None else limit - made
        nplates = block if need is None else max(1, min(block, -(-need // 4)))
        for chars in map_items(spec, i, i + nplates, workers):
            for c in chars:
                yield c
                made += 1
                if limit is not None and made >= limit:
                    return
        i += nplates


def generate_chars(n: int, seed: int = 0, styles=None, augment="default", size: int = 32,
                   fonts: str = "all", workers: int = 1) -> list[CharSample]:
    """``n`` normalised characters (classes drawn uniformly), cut from synthetic plates."""
    spec = make_spec("chars", seed, styles, augment, None, "stretch", fonts, size)
    return list(iter_chars(spec, 0, workers, _count(n)))


def _count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise PlatecharError(f"count must be a non-negative integer, got {n!r}")
    return int(n)


# --- batches for training ------------------------------------------------------------


def encode_text(text: str, max_len: int, pad_value: int = -1) -> np.ndarray:
    """Label -> int32 (max_len,) indices into ALPHABET, padded with ``pad_value``."""
    if len(text) > max_len:
        raise PlatecharError(f"label {text!r} is longer than max_len={max_len}")
    out = np.full(max_len, pad_value, np.int32)
    out[:len(text)] = [ALPHABET.index(c) for c in text]
    return out


def _to_input(img: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[..., None] if img.ndim == 3 else img[..., None]
    return img.astype(np.float32) * (1.0 / 255.0)


def make_batch(spec: SynthSpec, batch_index: int, batch_size: int, channels: int = 1,
               max_len: int = 10, pad_value: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Batch ``batch_index`` of a run, deterministic.

    ``crops`` runs: ``x`` float32 (B, H, W, channels) in 0..1 (needs a fixed ``size``),
    ``y`` int32 (B, max_len): ALPHABET indices padded with ``pad_value`` (the label
    length is ``(y != pad_value).sum(1)``). ``chars`` runs: ``x`` float32
    (B, char_size, char_size, 1), ``y`` int32 (B,) class indices.
    """
    if spec.kind == "crops":
        if spec.size is None:
            raise PlatecharError("batches of crops need a fixed size, e.g. size=(128, 32)")
        items = [make_item(spec, batch_index * batch_size + j) for j in range(batch_size)]
        x = np.stack([_to_input(s.image, channels) for s in items])
        y = np.stack([encode_text(s.text, max_len, pad_value) for s in items])
        return x, y
    if spec.kind == "chars":
        chars = list(iter_chars(spec, start=batch_index * batch_size, limit=batch_size))
        x = np.stack([c.image[..., None] for c in chars]).astype(np.float32) * (1.0 / 255.0)
        y = np.array([ALPHABET.index(c.label) for c in chars], np.int32)
        return x, y
    raise PlatecharError("batches are made of 'crops' or 'chars'")


def batches(kind: str = "crops", batch_size: int = 64, seed: int = 0, size=(128, 32),
            channels: int = 1, max_len: int = 10, pad_value: int = -1, styles=None,
            augment="default", fonts: str = "all", char_size: int = 32,
            start: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless ``(x, y)`` numpy batches (see :func:`make_batch`), e.g. for
    ``tf.data.Dataset.from_generator`` or a hand-written training loop."""
    spec = make_spec(kind, seed, styles, augment, size if kind == "crops" else None,
                     "stretch", fonts, char_size)
    _check_batch_args(batch_size, channels, max_len)
    b = start
    while True:
        yield make_batch(spec, b, batch_size, channels, max_len, pad_value)
        b += 1


def _check_batch_args(batch_size, channels, max_len) -> None:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise PlatecharError(f"batch_size must be a positive integer, got {batch_size!r}")
    if channels not in (1, 3):
        raise PlatecharError(f"channels must be 1 (gray) or 3 (BGR), got {channels!r}")
    if not isinstance(max_len, int) or max_len < 1:
        raise PlatecharError(f"max_len must be a positive integer, got {max_len!r}")


def make_keras_dataset(kind: str = "crops", batch_size: int = 64, batches_per_epoch: int = 100,
                       seed: int = 0, size=(128, 32), channels: int = 1, max_len: int = 10,
                       pad_value: int = -1, styles=None, augment="default", fonts: str = "all",
                       char_size: int = 32, **pydataset_kwargs):
    """A ``keras.utils.PyDataset`` of fresh synthetic batches (see :func:`make_batch`).

    Each epoch has ``batches_per_epoch`` batches and a new epoch brings new data
    (epoch ``e`` batch ``i`` is batch ``e * batches_per_epoch + i`` of the seed), so
    training never sees the same plate twice and never waits for files.
    ``pydataset_kwargs`` (``workers``, ``use_multiprocessing``, ``max_queue_size``)
    go to PyDataset. Keras is imported here, not when platechar.synth is imported.
    """
    spec = make_spec(kind, seed, styles, augment, size if kind == "crops" else None,
                     "stretch", fonts, char_size)
    _check_batch_args(batch_size, channels, max_len)
    if not isinstance(batches_per_epoch, int) or batches_per_epoch < 1:
        raise PlatecharError(f"batches_per_epoch must be >= 1, got {batches_per_epoch!r}")
    import keras

    class SynthDataset(keras.utils.PyDataset):
        """Synthetic plates or characters, made on the fly."""

        def __init__(self):
            super().__init__(**pydataset_kwargs)
            self.spec = spec
            self.epoch = 0

        def __len__(self) -> int:
            return batches_per_epoch

        def __getitem__(self, i: int):
            if not 0 <= i < batches_per_epoch:
                raise IndexError(i)
            return make_batch(spec, self.epoch * batches_per_epoch + i, batch_size, channels,
                              max_len, pad_value)

        def on_epoch_end(self) -> None:
            self.epoch += 1

    return SynthDataset()
