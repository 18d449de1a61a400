"""Train the holistic CRNN on synthetic plates, a user's labelled crops, or both.

This is what ``platechar train crnn`` runs. It makes a pool of synthetic plates with
:mod:`platechar.synth` (at the network's input size, gray), reads labelled crops (a
``filename,text`` CSV or a folder of images named after their labels), holds out a
validation set (fresh synthetic plates of another seed, plus a share of the labelled
crops), and hands everything to :func:`classifier.train_crnn.train`.

Fine-tuning the shipped model on your own crops::

    platechar train crnn --crops my_plates.csv --init shipped --out runs/my-crnn
    # then use runs/my-crnn/crnn.onnx (see platechar.backends.holistic.load(path=...))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from platechar.alphabet import LETTERS
from platechar.errors import DatasetError

# the mix of synthetic realism in the pool: most plates with the default effects, a
# quarter heavily degraded (the real test crops include blurred, dark and low-res ones)
POOL_AUGMENT = (("default", 0.6), ("heavy", 0.25), ("light", 0.15))
SHIPPED = Path(__file__).resolve().parents[1] / "weights" / "crnn.keras"
TIGHT_MARGIN = (-0.5, 0.03)
"""Per-side crop margins of the ``tight_share`` part of the pool, in plate heights: mostly
negative, and :func:`~platechar.synth.crops.make_crop` never cuts into a character, so
these crops end near their first and last characters, as some datasets and detectors cut
plates (the ``seg_and_ocr`` crops do). Measured on US and European crops: 12% of the
width left beside the characters, against 25% with the default margins (perspective and
rotation keep some)."""


def pool_mix(tight_share: float = 0.0) -> tuple:
    """:data:`POOL_AUGMENT` with ``tight_share`` of the pool cut tight to the characters
    (the default effects with :data:`TIGHT_MARGIN`), the other shares scaled down."""
    if not 0.0 <= tight_share <= 1.0:
        raise DatasetError(f"tight_share must be within 0..1, got {tight_share!r}")
    if not tight_share:
        return POOL_AUGMENT
    from platechar.synth.augment import AugmentConfig, Effect

    tight = AugmentConfig().replace(margin=Effect(1.0, *TIGHT_MARGIN))
    return tuple((preset, share * (1 - tight_share)) for preset, share in POOL_AUGMENT) + (
        (tight, tight_share),)


def with_stacked(styles, share: float):
    """The style choice ``styles`` (as :func:`platechar.synth.styles.resolve_styles` takes
    it) with ``share`` of its US plates carrying a small stacked pair of characters beside
    their text, not in their labels (``PlateStyle.stacked``). Real US crops have them
    (Wyoming's ``692`` beside ``A/B``, Oregon's ``00617`` beside ``N/G``) and the CRNN,
    never shown one, read them as a character (``6928``, ``C00617``)."""
    if not 0.0 <= share <= 1.0:
        raise DatasetError(f"stacked must be within 0..1, got {share!r}")
    if not share:
        return styles
    from dataclasses import replace

    from platechar.synth.styles import resolve_styles
    chosen, weights = resolve_styles(styles)
    return {replace(s, stacked=share) if s.name == "us" else s: w
            for s, w in zip(chosen, weights, strict=True)}


VANITY_FORMATS = ("AAAA", "AAAAA", "AAAAAA", "AAAAAAA", "AAA AAA", "AA AAAA", "AA9AAAA",
                  "AAAAAA9", "9AAAAA", "AAA9AA")
"""Vanity plates: words of letters, now and then a digit (``IM4REAL``, ``GR8BUNZ``,
``SAMPLE1``, ``NO GODS``). A fifth of the real US test crops are such plates, and the
built-in US formats are serials of digits and a few letters (their ``*****???`` draws
five letters in a row on about one US plate in 80), so a CRNN learns that a plate's run
of letters is short and reads ``GUTSY`` as ``5UTSY``."""
VANITY_LETTERS = LETTERS.replace("O", "")
"""Every letter but ``O``: US plate datasets write a vanity plate's ``O`` as ``0``
(``BL0GGER``, ``N0G0DS``; many states' fonts draw the two alike), and the real crops mixed
into training teach that; synthetic words labelled ``O`` taught the opposite (a fine-tune
with them read ``C0NNMAN`` as ``CONNMAN`` and ``CUST0M`` as ``CUSTON``)."""


def with_vanity(styles, share: float):
    """The style choice ``styles`` with ``share`` of its US plates drawn as vanity plates
    (:data:`VANITY_FORMATS`, :data:`VANITY_LETTERS`): the US style split in two, the same
    plate but for the text, weighted ``1 - share`` and ``share``."""
    if not 0.0 <= share <= 1.0:
        raise DatasetError(f"vanity must be within 0..1, got {share!r}")
    if not share:
        return styles
    from dataclasses import replace

    from platechar.synth.styles import resolve_styles
    chosen, weights = resolve_styles(styles)
    mix: dict = {}
    for style, weight in zip(chosen, weights, strict=True):
        if style.name == "us":
            mix[style] = mix.get(style, 0.0) + weight * (1 - share)
            mix[replace(style, formats=VANITY_FORMATS, letters=VANITY_LETTERS)] = weight * share
        else:
            mix[style] = mix.get(style, 0.0) + weight
    return mix


TWO_LINE = ("split", "whole", "skip")
LINE_CUT = (0.58, 0.42)
"""Two-line plates are read as two single-line halves: rows ``[0, 0.58 h)`` for the top
line and ``[0.42 h, h)`` for the bottom one (the overlap keeps characters whole when the
gap between the lines is off centre). The backend cuts crops the same way."""


def synth_pool(n: int, *, seed: int = 0, height: int = 32, width: int = 128, styles=None,
               augment: Sequence[tuple] = POOL_AUGMENT, workers: int = 0,
               start: int = 0, two_line: str = "split"
               ) -> tuple[np.ndarray, list[str], list[str]]:
    """About ``n`` synthetic crops stretched to ``width x height``, gray ``uint8``, with
    their texts and style names. ``augment`` is ``(preset, share)`` pairs, a preset being a
    name or an ``AugmentConfig`` (see :func:`pool_mix`). Items ``start .. start+n-1`` of
    each augmentation's run,
    so the same arguments give the same pool; different seeds give disjoint plates.

    ``two_line``: ``"split"`` (default) turns each two-line plate into its two line crops
    (cut as :data:`LINE_CUT` says, labelled by line; a plate whose characters would be cut
    is dropped), ``"whole"`` keeps it whole (labelled top line then bottom; a 32-pixel
    CRNN does not learn to read these: 0% on fresh ones), ``"skip"`` leaves it out.
    """
    import cv2

    from platechar.synth import generate_plates

    if two_line not in TWO_LINE:
        raise DatasetError(f"two_line must be one of {', '.join(TWO_LINE)}, got {two_line!r}")
    images, texts, kinds = [], [], []
    counts = [int(round(n * share)) for _, share in augment]
    counts[0] += n - sum(counts)
    tall = height * 2 if two_line == "split" else height
    for k, ((preset, _), count) in enumerate(zip(augment, counts, strict=True)):
        if count <= 0:
            continue
        for item in generate_plates(count, seed=seed * 16 + k, styles=styles, augment=preset,
                                    size=(width, tall), workers=workers, start=start):
            gray = cv2.cvtColor(item.image, cv2.COLOR_BGR2GRAY)
            if "|" not in item.layout or two_line == "whole":
                images.append(cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
                              if tall != height else gray)
                texts.append(item.text)
                kinds.append(item.style)
            elif two_line == "split":
                for image, text in split_lines(gray, item):
                    images.append(cv2.resize(image, (width, height),
                                             interpolation=cv2.INTER_AREA))
                    texts.append(text)
                    kinds.append(item.style + ":line")
    return np.stack(images), texts, kinds


def split_lines(gray: np.ndarray, item) -> list[tuple[np.ndarray, str]]:
    """The two line crops of a two-line synthetic plate with their labels, or ``[]`` when
    the fixed cut (:data:`LINE_CUT`) would slice a character."""
    h = gray.shape[0]
    n_top = sum(c.isalnum() for c in item.layout.split("|")[0])
    top_end, bottom_start = int(round(LINE_CUT[0] * h)), int(round(LINE_CUT[1] * h))
    boxes = np.asarray(item.char_boxes)
    top, bottom = boxes[:n_top], boxes[n_top:]
    if not len(top) or not len(bottom):
        return []
    if (top[:, 1] + top[:, 3]).max() > top_end + 1 or bottom[:, 1].min() < bottom_start - 1:
        return []
    return [(gray[:top_end], item.text[:n_top]), (gray[bottom_start:], item.text[n_top:])]


def read_crops(sources: Sequence[str | Path], *, height: int = 32, width: int = 128,
               max_len: int = 10, with_boxes: bool = False):
    """Labelled crops from CSV files and/or folders, as a ``LabelledCrops`` (with their
    character boxes where the segmenter finds them, if ``with_boxes``)."""
    from classifier.crnn_data import DataError, list_labelled_crops, load_labelled_crops

    try:
        pairs = [pair for source in sources for pair in list_labelled_crops(source, max_len)]
        crops = load_labelled_crops(pairs, height=height, width=width)
    except DataError as exc:
        raise DatasetError(str(exc)) from None
    if with_boxes:
        find_character_boxes(crops, [path for path, _ in pairs])
    return crops


def find_character_boxes(crops, paths: Sequence[str | Path]) -> int:
    """Segment each labelled crop and keep its character boxes in ``crops.boxes`` where the
    segmenter finds one line of exactly as many characters as the label has (the same
    alignment by order as :mod:`platechar.harvest`); ``None`` elsewhere. The crops are
    segmented from their files at full size, and the boxes scaled to the stored images.
    ``paths`` are the crops' files, in order. Returns how many crops got boxes. Used to
    rearrange characters in training (``--rearrange``).
    """
    from platechar.errors import PlatecharError
    from platechar.images import load_image
    from segmentation import segment_characters

    boxes: list = []
    for path, stored, text in zip(paths, crops.images, crops.texts, strict=True):
        found = None
        try:
            original = load_image(path)
            result = segment_characters(original)
        except (PlatecharError, ValueError):
            result = None
        if result is not None and result.lines == 1 and len(result) == len(text):
            scale_x = stored.shape[1] / original.shape[1]
            scale_y = stored.shape[0] / original.shape[0]
            found = np.rint(result.boxes * [scale_x, scale_y, scale_x, scale_y]).astype(int)
            found[:, 2:] = np.maximum(found[:, 2:], 1)
        boxes.append(found)
    crops.boxes = boxes
    return sum(b is not None for b in boxes)


def _provenance(path: str | Path) -> dict:
    """Name and sha256 of the model a fine-tune started from: a later reader can tell
    which model it was (``"shipped"`` names the one that was shipped then)."""
    from classifier.model_io import file_sha256

    path = Path(path)
    name = "shipped" if path.resolve() == SHIPPED.resolve() else str(path)
    return {"model": name, "sha256": file_sha256(path)}


def train_crnn(out: str | Path, *, synth: int = 40000, crops: Sequence[str | Path] = (),
               init_from: str | Path | None = None, epochs: int = 30, steps: int = 200,
               batch_size: int = 64, learning_rate: float = 1e-3, patience: int = 6,
               crop_fraction: float = 0.25, val_synth: int = 1000, val_crops: float = 0.15,
               seed: int = 0, styles=None, two_line: str = "split", workers: int = 0,
               tight_share: float = 0.0, stacked: float = 0.0, vanity: float = 0.0,
               rearrange: float = 0.0, export_onnx: bool = True,
               verbose: int = 2, log: Callable[[str], None] = print,
               recipe: str | None = None):
    """Train (or fine-tune, with ``init_from``) a CRNN; returns the ``TrainResult``.

    ``synth``: synthetic plates in the pool (0 for none); ``crops``: CSVs/folders of
    labelled crops mixed into every batch (``crop_fraction`` of it), of which
    ``val_crops`` are held out for validation; ``val_synth`` fresh synthetic plates are
    read each epoch too. ``init_from="shipped"`` starts from the shipped model.
    ``tight_share`` of the synthetic plates (training and validation) are cut tight to
    their characters (:func:`pool_mix`). ``stacked`` of the synthetic US plates carry
    two small stacked characters beside their text that the label leaves out
    (:func:`with_stacked`), and ``vanity`` of them are vanity plates, words of letters
    (:func:`with_vanity`). ``rearrange`` is the chance that a labelled crop has its
    characters swapped about, where the segmenter found them
    (:func:`~classifier.crnn_data.rearrange_characters`). ``recipe``: the command that made
    the model, when this run is one step of a longer one (the sidecar's
    ``training_recipe``).
    """
    from platechar._version import __version__

    style_description = styles or "default mix"
    if init_from == "shipped":
        init_from = SHIPPED
        if not SHIPPED.is_file():
            raise DatasetError(f"{SHIPPED}: no shipped CRNN to fine-tune from")
    from classifier.crnn import CRNNConfig
    from classifier.train_crnn import TrainConfig, train
    from platechar.synth.fonts import font_names

    model_cfg = CRNNConfig()
    if init_from is not None:
        from classifier.train_crnn import load_crnn

        model_cfg = load_crnn(init_from).config
    h, w = model_cfg.height, model_cfg.width
    labelled = held = None
    if crops:
        if rearrange > 0:
            log("finding the labelled crops' characters for --rearrange (a few ms a crop)")
        labelled = read_crops(crops, height=h, width=w, max_len=model_cfg.max_len,
                              with_boxes=rearrange > 0)
        labelled, held = labelled.split(val_crops, seed=seed) if val_crops > 0 else (
            labelled, None)
        log(f"{len(labelled)} labelled crops to train on, "
            f"{0 if held is None else len(held)} held out")
        if rearrange > 0:
            log(f"{sum(b is not None for b in labelled.boxes)} of them with their characters "
                f"found, to be rearranged in {rearrange:.0%} of draws")
    elif rearrange > 0:
        log("--rearrange does nothing without --crops: only labelled crops are rearranged")
    mix = pool_mix(tight_share)
    styles = with_stacked(with_vanity(styles, vanity), stacked)
    started = time.perf_counter()
    pool = None
    if synth > 0:
        images, texts, _ = synth_pool(synth, seed=seed, height=h, width=w, styles=styles,
                                      workers=workers, two_line=two_line, augment=mix)
        pool = (images, texts)
        log(f"made {synth} synthetic plates in {time.perf_counter() - started:.0f} s")
    if pool is None and labelled is None:
        raise DatasetError("nothing to train on: give --synth N > 0 and/or --crops")
    val_images: list[np.ndarray] = []
    val_texts: list[str] = []
    if val_synth > 0:
        vi, vt, _ = synth_pool(val_synth, seed=seed + 1000, height=h, width=w, styles=styles,
                               workers=workers, two_line=two_line, augment=mix)
        val_images += list(vi)
        val_texts += vt
    if held is not None and len(held):
        val_images += held.images
        val_texts += held.texts
    if not val_texts:
        raise DatasetError("no validation data: keep val_synth > 0 or hold out some crops")
    config = TrainConfig(run_dir=str(out), epochs=epochs, steps_per_epoch=steps,
                         batch_size=batch_size, learning_rate=learning_rate,
                         patience=patience, crop_fraction=crop_fraction,
                         rearrange=rearrange, seed=seed,
                         init_from=None if init_from is None else str(init_from),
                         model=model_cfg)
    info = {
        "synthetic_plates": int(synth),
        "synthetic_styles": style_description,
        # the machine's installed fonts are drawn too: the same command on another
        # machine makes other plates, and these names say which were used
        "synthetic_fonts": font_names("all") if synth else [],
        "two_line_plates": two_line,
        "tight_share": float(tight_share),
        "stacked": float(stacked),
        "vanity": float(vanity),
        "rearranged": float(rearrange),
        "labelled_crops": 0 if labelled is None else len(labelled),
        "labelled_sources": [Path(c).name for c in crops],
        "validation": {"synthetic": int(val_synth),
                       "labelled": 0 if held is None else len(held)},
        "fine_tuned_from": None if init_from is None else _provenance(init_from),
        "platechar_version": __version__,
    }
    return train(config, pool=pool, crops=labelled, validation=(val_images, val_texts),
                 info=info, export_onnx=export_onnx, verbose=verbose, log=log,
                 recipe=recipe)
