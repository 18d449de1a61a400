"""The segmented backend: cut the plate into characters, then classify each one.

The classical pipeline's last two stages: :func:`segmentation.segment_characters`
finds the characters' boxes in reading order and normalises each to the classifier's
32x32 input; the 36-class CNN (:class:`classifier.charnet.CharClassifier`, run through
ONNX Runtime, never TensorFlow) gives each a probability per class. The text is the
likeliest class of each character; each character's confidence is that probability,
its alternatives the next likeliest classes; the plate's confidence is the product of
its characters' (the chance that every one is right, if the probabilities are honest),
and a plate where no characters were found reads ``""`` with confidence 0.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from classifier.charnet import ALPHABET, CharClassifier
from classifier.model_io import ModelFileError
from platechar.errors import ImageError, ModelError
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

        if not isinstance(crop_bgr, np.ndarray) or crop_bgr.dtype != np.uint8 \
                or crop_bgr.ndim not in (2, 3) or min(crop_bgr.shape[:2]) < 8:
            raise ImageError("the segmented backend reads uint8 plate crops at least 8x8, "
                             f"gray or BGR; got {_describe(crop_bgr)}")
        started = time.perf_counter()
        segmentation = segment_characters(crop_bgr)
        segmented = time.perf_counter()
        if len(segmentation) == 0:
            return PlateReading("", 0.0, "segmented",
                                timings={"segment": segmented - started, "classify": 0.0})
        ranked = self.classifier.classify(segmentation.images, k=ALTERNATIVES)
        classified = time.perf_counter()
        chars = tuple(
            CharReading(text=options[0][0], confidence=_unit(options[0][1]), box=char.box,
                        alternatives=tuple((c, _unit(p)) for c, p in options[1:]))
            for char, options in zip(segmentation.characters, ranked, strict=True))
        confidence = float(np.prod([c.confidence for c in chars]))
        return PlateReading("".join(c.text for c in chars), _unit(confidence), "segmented",
                            chars=chars, timings={"segment": segmented - started,
                                                  "classify": classified - segmented})


def load(path: str | Path | None = None, *, threads: int = 1) -> SegmentedRecognizer:
    """The segmented recognizer with the shipped character CNN (or the ``.onnx`` at
    ``path``, e.g. one trained by ``platechar train chars``; its sidecar beside it)."""
    return SegmentedRecognizer(path, threads=threads)


def _unit(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def _describe(crop) -> str:
    if isinstance(crop, np.ndarray):
        return f"a {crop.dtype} array of shape {crop.shape}"
    return type(crop).__name__
