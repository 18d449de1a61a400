"""The segmented backend: cut the plate into characters, then classify each one.

The classical pipeline's last two stages: :func:`segmentation.segment_characters`
finds the characters' boxes in reading order and normalises each to the classifier's
32x32 input; the 36-class CNN (:class:`classifier.charnet.CharClassifier`, run through
ONNX Runtime, never TensorFlow) gives each a probability per class. The two stages talk
once: when no binarisation's characters are clearly consistent, segmentation asks the
CNN how legibly it reads each candidate's (characters cut apart wrongly read badly).
The text is the likeliest class of each character; each character's confidence is that probability,
its alternatives the next likeliest classes; the plate's confidence is the product of
its characters' (the chance that every one is right, if the probabilities are honest),
and a plate where no characters were found reads ``""`` with confidence 0.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from classifier.charnet import ALPHABET, CharClassifier
from classifier.model_io import ModelFileError
from platechar.backends import check_crop, unit
from platechar.errors import ModelError
from platechar.results import CharReading, PlateReading

ALTERNATIVES = 3  # each character's reading carries this many classes, best first


class SegmentedRecognizer:
    """Reads a plate crop by segmentation and the character CNN (see the module doc)."""

    def __init__(self, path: str | Path | None = None, *, threads: int = 1) -> None:
        try:
            self.classifier = CharClassifier(path, alphabet=ALPHABET, threads=threads)
        except ModelFileError as exc:
            raise ModelError(f"the segmented backend's model cannot be used: {exc}") from None
        self.info = self.classifier.info

    def __repr__(self) -> str:
        return f"SegmentedRecognizer({str(self.classifier.path)!r})"

    def recognize(self, crop_bgr: np.ndarray) -> PlateReading:
        """Read one upright plate crop (``uint8`` BGR or gray)."""
        from segmentation import segment_characters

        crop_bgr = check_crop(crop_bgr, "segmented", 8)
        started = time.perf_counter()
        judged: dict[int, tuple] = {}  # the candidates the CNN already read, by id

        def legibility(candidate) -> float:
            probs = self._probabilities(candidate)
            judged[id(candidate)] = (candidate, probs)  # (keeps it alive: ids stay unique)
            return _legibility(probs)

        segmentation = segment_characters(crop_bgr, legibility=legibility)
        segmented = time.perf_counter()
        seen = judged.get(id(segmentation))
        reading = self.read_characters(
            segmentation, seen[1] if seen and seen[0] is segmentation else None)
        return replace(reading, timings={"segment": segmented - started, **reading.timings})

    def read_characters(self, segmentation, probs: np.ndarray | None = None) -> PlateReading:
        """The reading of a segmentation's characters (``probs``: the CNN's output for
        them, when already computed). ``recognize`` is ``segment_characters`` then this."""
        started = time.perf_counter()
        if len(segmentation) == 0:
            return PlateReading("", 0.0, "segmented", timings={"classify": 0.0})
        if probs is None:
            probs = self._probabilities(segmentation)
        ranked = self.classifier.top_k(probs, k=ALTERNATIVES)
        chars = tuple(
            CharReading(text=options[0][0], confidence=unit(options[0][1]), box=char.box,
                        alternatives=tuple((c, unit(p)) for c, p in options[1:]))
            for char, options in zip(segmentation.characters, ranked, strict=True))
        confidence = float(np.prod([c.confidence for c in chars]))
        return PlateReading("".join(c.text for c in chars), unit(confidence), "segmented",
                            chars=chars, timings={"classify": time.perf_counter() - started})

    def legibility(self, segmentation) -> float:
        """How confidently the CNN reads a segmentation's characters: the mean of their
        top probabilities (characters cut apart wrongly read badly). Segmentation asks
        this of its candidates when none of them is clearly consistent."""
        return _legibility(self._probabilities(segmentation))

    def _probabilities(self, segmentation) -> np.ndarray:
        if len(segmentation) == 0:
            return np.zeros((0, len(ALPHABET)), np.float32)
        return self.classifier.predict(segmentation.images)


def _legibility(probs: np.ndarray) -> float:
    return float(np.mean(probs.max(axis=1))) if len(probs) else 0.0


def load(path: str | Path | None = None, *, threads: int = 1) -> SegmentedRecognizer:
    """The segmented recognizer with the shipped character CNN (or the ``.onnx`` at
    ``path``, e.g. one trained by ``platechar train chars``; its sidecar beside it)."""
    return SegmentedRecognizer(path, threads=threads)
