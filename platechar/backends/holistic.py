"""The holistic backend: the CRNN reads the whole plate crop at once (no segmentation).

``load()`` opens the shipped ``platechar/weights/crnn.onnx`` with ONNX Runtime; its
``recognize(crop_bgr)`` returns a :class:`~platechar.results.PlateReading` with
``backend="holistic"``. The reading path is numpy + OpenCV + ONNX Runtime: TensorFlow is
never imported here (a test checks it).

How a reading is made: the crop goes gray, is stretched to the network's input (32 x 128)
and standardised; the network answers a probability over 36 characters + blank for each
of its 32 columns; greedy CTC decoding (best class per column, repeats merged, blanks
dropped) gives the text. Each character's confidence is its highest probability in the
run of columns that produced it, its box the stripe of the crop those columns cover
(approximate: the height is the crop's), its alternatives the next classes in its best
column. The plate's confidence is the product of its characters'. An unsure reading that
reaches the crop's side is made again from the crop with margins added (a crop cut tight
to its characters leaves CTC no blank column at its ends; :data:`SIDE_MARGIN`), and the
surer one is kept. ``candidates(crop)`` gives the few most likely whole texts by beam
search, when a caller wants them.

Two-line plates: a 32-pixel-high CRNN cannot read two stacked lines as one sequence
(trained on them whole, it read 0% of fresh ones). So it is trained on single lines and on
two-line plates cut into their lines; a crop read with confidence below
:data:`SPLIT_BELOW`, or squarer than :data:`ONE_LINE_ASPECT`, is read again as two halves
(rows ``[0, 0.58 h)`` and ``[0.42 h, h)``, the cut used in training). When the whole
reading was that unsure or the crop is squarer than :data:`TWO_LINE_ASPECT`, the halves
win if both read something and the product of their confidences beats the whole
reading's. A squarish crop read confidently whole has often read only one of its lines
(the larger one): :func:`read_one_line` tells when, and then the halves win too. Wide
plates read confidently whole cost nothing extra.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from classifier.crnn import (
    ALPHABET,
    beam_decode,
    column_box,
    greedy_decode,
    plate_confidence,
    preprocess,
)
from classifier.model_io import ModelFileError, OnnxModel
from platechar.backends import check_crop, unit
from platechar.errors import ModelError
from platechar.metrics import edit_distance
from platechar.results import CharReading, PlateReading

WEIGHTS = Path(__file__).resolve().parents[1] / "weights" / "crnn.onnx"
SPLIT_BELOW = 0.5
"""Whole readings less sure than this are tried as two lines as well."""
TWO_LINE_ASPECT = 1.7
"""Crops narrower than this (width / height) are read as two lines when the halves'
confidences together beat the whole reading's (wider ones only when the whole reading is
unsure, or by :func:`read_one_line`): synthetic
two-line plates measure 1.1-1.9 (median 1.4), single-line ones 1.4-2.1+ (median 2.05),
the real US test crops 1.65-2.0+ (median 2.0). Measured on 1,000 fresh synthetic plates
(seed 777): 84.5% exact reading every crop whole, 90.8% with this gate; the real test
part reads the same either way."""
LINE_CUT = (0.58, 0.42)
"""Top line: rows up to 0.58 of the height; bottom line: from 0.42 (as in training)."""
ONE_LINE_ASPECT = 1.9
"""Crops narrower than this are also checked for a whole reading of one line only
(:func:`read_one_line`); wider ones are single-line plates whose top half holds the
state's name, which the CRNN may read as a line of its own."""
RETRY_BELOW = 0.8
EDGE_SHARE = 0.125
"""Readings less sure than RETRY_BELOW whose first or last character stands within
EDGE_SHARE of the crop's width from its side are made again from the crop with
SIDE_MARGIN added left and right, and the surer of the two readings is kept."""
SIDE_MARGIN = 0.05
"""Of the crop's width, added at each side by repeating the crop's edge columns.

Real crops cut tight to the characters read better with it: the network learnt from
synthetic crops with room beside the characters, and CTC needs a blank column or two
at each end. Measured on the 155 held-out real crops (``benchmarks/bench_crnn.py``):
88.4% -> 91.0% read exactly; ``platechar compare .../endtoend/R --backends holistic``:
us 78.2% -> 80.0%, eu 80.4% -> 82.1%, br unchanged (83.7%); 1,000 fresh synthetic
plates (seeds 777-779) 91.3 / 91.5 / 91.6% -> 91.4 / 91.9 / 91.7%. It costs batches
about a tenth of their speed (1,290 -> 1,115 crops/s on 2 threads, the median of two runs).

Why only near the edges: with ``EDGE_SHARE = 0.5`` (every unsure reading retried) the
real crops read the same but the US photos 77.3% (first reading 73.6%): the retry lifts
the confidence of readings of things that are not plates, which rank the candidates,
and their text stands inside the crop, where margins gain nothing. ``EDGE_SHARE`` 3/32
and 5/32 read 79.1% and 78.2% of the US photos and the same real crops. In a one-off
script, reading every crop padded (no retry) read 91.0% of the real crops but 0.6
points fewer synthetic plates, and 8% margins read fewer real crops."""
HALF_CONFIDENCE = 0.9  # both halves read at least this surely ...
OTHER_LINE_LENGTH = (2, 5)  # ... and the line the whole reading missed is this long


class HolisticRecognizer:
    """Reads plate crops with a CRNN through ONNX Runtime (see the module docstring)."""

    def __init__(self, path: str | Path = WEIGHTS, *, threads: int = 1) -> None:
        try:
            self.model = OnnxModel(path, kind="crnn", alphabet=ALPHABET, threads=threads)
        except ModelFileError as exc:
            raise ModelError(f"the holistic backend's model cannot be used: {exc}") from None
        self.height, self.width = self.model.input_shape[:2]
        self.info = self.model.info

    def __repr__(self) -> str:
        return f"HolisticRecognizer({str(self.model.path)!r})"

    def probabilities(self, crops) -> np.ndarray:
        """Per-column probabilities ``(n, T, 37)`` for a list of BGR/gray crops."""
        crops = [check_crop(c, "holistic", 2) for c in crops]
        batch = np.stack([preprocess(c, self.height, self.width) for c in crops])
        return self.model(batch)

    def recognize(self, crop_bgr: np.ndarray) -> PlateReading:
        """Read one rectified plate crop (BGR or gray ``uint8``)."""
        return self.recognize_batch([crop_bgr])[0]

    def recognize_batch(self, crops, *, two_line: bool = True,
                        margin_retry: bool = True) -> list[PlateReading]:
        """Read many crops in one network call (faster per crop than one at a time).

        ``two_line=False`` never tries a crop as two lines (see the module docstring);
        ``margin_retry=False`` never reads an unsure crop again with side margins
        (:data:`RETRY_BELOW`).
        """
        crops = [check_crop(c, "holistic", 2) for c in crops]
        if not crops:
            return []
        started = time.perf_counter()
        batch = np.stack([preprocess(c, self.height, self.width) for c in crops])
        prepared = time.perf_counter()
        probs = self.model(batch)
        ran = time.perf_counter()
        readings = [self._reading(p, c) for p, c in zip(probs, crops, strict=True)]
        unsure = [i for i, (r, c) in enumerate(zip(readings, crops, strict=True))
                  if _maybe_two_lines(r, c, ONE_LINE_ASPECT)] if two_line else []
        if unsure:
            readings = self._try_lines(crops, readings, unsure)
        if margin_retry:
            readings = self._retry_with_margins(crops, readings, two_line)
        decoded = time.perf_counter()
        share = 1.0 / len(crops)
        timings = {"preprocess": (prepared - started) * share,
                   "network": (ran - prepared) * share, "decode": (decoded - ran) * share}
        return [_with_timings(r, timings) for r in readings]

    def _try_lines(self, crops, readings, unsure):
        halves = []
        for i in unsure:
            h = crops[i].shape[0]
            top_end, bottom_start = int(round(LINE_CUT[0] * h)), int(round(LINE_CUT[1] * h))
            halves += [(crops[i][:top_end], 0), (crops[i][bottom_start:], bottom_start)]
        probs = self.model(np.stack([preprocess(c, self.height, self.width)
                                     for c, _ in halves]))
        readings = list(readings)
        for k, i in enumerate(unsure):
            (top, _), (bottom, y0) = halves[2 * k], halves[2 * k + 1]
            a = self._reading(probs[2 * k], top)
            b = self._reading(probs[2 * k + 1], bottom, y_offset=y0)
            whole = readings[i]
            likelier = (a.confidence * b.confidence > whole.confidence
                        and _maybe_two_lines(whole, crops[i], TWO_LINE_ASPECT))
            if a.text and b.text and (likelier or read_one_line(whole.text, a, b)):
                readings[i] = PlateReading(text=a.text + b.text,
                                           confidence=unit(a.confidence * b.confidence),
                                           backend="holistic", chars=a.chars + b.chars)
        return readings

    def _retry_with_margins(self, crops, readings, two_line: bool) -> list[PlateReading]:
        """Read the unsure crops again with :data:`SIDE_MARGIN` added left and right (their
        edge pixels repeated); keep the surer reading, its boxes moved back into the crop."""
        unsure = [i for i, r in enumerate(readings) if r.confidence < RETRY_BELOW
                  and _near_an_edge(r, crops[i].shape[1])]
        if not unsure:
            return readings
        padded, pads = [], []
        for i in unsure:
            pad = max(1, int(round(SIDE_MARGIN * crops[i].shape[1])))
            padded.append(cv2.copyMakeBorder(crops[i], 0, 0, pad, pad, cv2.BORDER_REPLICATE))
            pads.append(pad)
        again = self.recognize_batch(padded, two_line=two_line, margin_retry=False)
        readings = list(readings)
        for i, pad, reading in zip(unsure, pads, again, strict=True):
            if reading.confidence > readings[i].confidence:
                width = crops[i].shape[1]
                chars = tuple(replace(c, box=_unpadded(c.box, pad, width)) for c in reading.chars)
                readings[i] = replace(reading, chars=chars)
        return readings

    def candidates(self, crop_bgr: np.ndarray, top: int = 3) -> list[tuple[str, float]]:
        """The ``top`` most likely texts with their probabilities (CTC beam search)."""
        probs = self.probabilities([crop_bgr])[0]
        return beam_decode(probs, beam_width=max(8, top), top_paths=top)

    def _reading(self, probs: np.ndarray, crop: np.ndarray, y_offset: int = 0) -> PlateReading:
        chars = greedy_decode(probs)
        steps = probs.shape[0]
        crop_h, crop_w = crop.shape[:2]
        readings = tuple(
            CharReading(
                text=c.char,
                confidence=unit(c.confidence),
                box=_shift(column_box(c, steps, crop_w, crop_h), y_offset),
                alternatives=tuple((ALPHABET[i], unit(p)) for i, p in c.alternatives),
            )
            for c in chars
        )
        return PlateReading(text="".join(c.char for c in chars),
                            confidence=unit(plate_confidence(chars)),
                            backend="holistic", chars=readings)


def read_one_line(whole: str, top: PlateReading, bottom: PlateReading) -> bool:
    """Whether a whole reading of a squarish crop read only one of two lines.

    A CRNN squeezes the crop to 32 pixels high, and on a two-line plate it tends to read
    the line with the larger characters and skip the other, surely (``4439`` at 0.97 for
    ``PNT`` over ``4439``), so the product of the halves' confidences rarely beats it.
    The halves tell: the whole reading is (within one character) what one half read,
    the other half read something else, 2-5 characters, and both halves are sure.
    Halves that read the same text are one line cut twice, not two lines.

    Measured on 1,000 fresh synthetic plates of the default mix, seeds 777 / 778 / 779
    (``benchmarks/bench_crnn.py --synth 1000 --seed S``): the two-line ones 81.7 / 86.9
    / 70.6% -> 92.7 / 92.9 / 89.9%, all 90.2 / 90.9 / 89.5% -> 91.3 / 91.5 / 91.6%; the
    359 real US crops and the ``endtoend`` photos read the same (their top halves hold
    the state's name, read surely at times: hence the confidence and length conditions
    and :data:`ONE_LINE_ASPECT`).
    """
    if edit_distance(top.text, bottom.text) <= 1:
        return False
    for read, missed in ((bottom, top), (top, bottom)):
        if (edit_distance(whole, read.text) <= 1 < edit_distance(whole, missed.text)
                and min(read.confidence, missed.confidence) >= HALF_CONFIDENCE
                and OTHER_LINE_LENGTH[0] <= len(missed.text) <= OTHER_LINE_LENGTH[1]):
            return True
    return False


def load(path: str | Path | None = None, *, threads: int = 1) -> HolisticRecognizer:
    """The holistic recognizer with the shipped CRNN (or the ``.onnx`` at ``path``, e.g. a
    fine-tuned one from ``platechar train crnn``; its ``.json`` sidecar must be beside it)."""
    return HolisticRecognizer(WEIGHTS if path is None else path, threads=threads)


def _maybe_two_lines(reading: PlateReading, crop: np.ndarray, aspect: float) -> bool:
    """Whether the whole reading is unsure (:data:`SPLIT_BELOW`) or the crop narrower
    than ``aspect`` times its height."""
    return reading.confidence < SPLIT_BELOW or crop.shape[1] < aspect * crop.shape[0]


def _near_an_edge(reading: PlateReading, width: int) -> bool:
    """Whether the reading's first or last character stands within EDGE_SHARE of the
    crop's width from its side (or nothing was read)."""
    if not reading.chars:
        return True
    first, last = reading.chars[0].box, reading.chars[-1].box
    return first[0] <= EDGE_SHARE * width or last[0] + last[2] >= (1 - EDGE_SHARE) * width


def _unpadded(box, pad: int, width: int):
    """A box in a crop padded by ``pad`` columns each side, in the crop itself (clipped)."""
    x, y, w, h = box
    x0 = min(max(0, x - pad), width - 1)
    x1 = min(max(x0 + 1, x + w - pad), width)
    return (x0, y, x1 - x0, h)


def _shift(box, dy: int):
    x, y, w, h = box
    return (x, y + dy, w, h)


def _with_timings(reading: PlateReading, timings: dict[str, float]) -> PlateReading:
    return replace(reading, timings=dict(timings))
