"""What a reading of a plate looks like, whichever backend produced it.

Both backends return the same frozen dataclasses, so results can be compared, printed
and serialised the same way. :class:`~detection.types.PlateCandidate` (where a plate is,
before reading) lives with the detection stage and is re-exported by ``platechar``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class CharReading:
    """One character of a plate.

    Attributes:
        text: the character, one of :data:`platechar.ALPHABET`.
        confidence: 0..1, the backend's probability for ``text``.
        box: ``(x, y, w, h)`` in the plate crop (segmented backend), else ``None``.
        alternatives: the next most likely characters as ``(char, probability)``,
            most likely first. Where the plate syntax (:mod:`platechar.syntax`) put a
            look-alike in the backend's first choice's place, that first choice leads
            them, likelier than ``text`` to the backend.
    """

    text: str
    confidence: float
    box: tuple[int, int, int, int] | None = None
    alternatives: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if len(self.text) != 1:
            raise ValueError(f"a CharReading holds one character, not {self.text!r}")
        _check_confidence(self.confidence)

    def to_dict(self) -> dict:
        """A JSON-friendly summary."""
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "box": _box_list(self.box),
            "alternatives": [[char, round(float(p), 4)] for char, p in self.alternatives],
        }


@dataclass(frozen=True, eq=False)
class PlateReading:
    """The text read from one plate, with where it was and how sure the backend is.

    Attributes:
        text: the plate's characters, e.g. ``"7ABC123"``; ``""`` when nothing was read.
        confidence: 0..1 for the whole plate.
        backend: ``"segmented"`` or ``"holistic"``.
        box: ``(x, y, w, h)`` of the plate in the photo; ``None`` from ``recognize()``.
        quad: 4x2 float corners in the photo, clockwise from top-left; ``None`` likewise.
        chars: one :class:`CharReading` per character of ``text``, in order (or empty
            when the backend gives no per-character detail).
        timings: seconds spent per stage, e.g. ``{"detect": 0.02, "recognize": 0.01}``.
        crop: the rectified plate image that was read (BGR ``uint8``); not serialised.
    """

    text: str
    confidence: float
    backend: str
    box: tuple[int, int, int, int] | None = None
    quad: np.ndarray | None = None
    chars: tuple[CharReading, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    crop: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_confidence(self.confidence)
        spelled = "".join(char.text for char in self.chars)
        if self.chars and spelled != self.text:
            raise ValueError(
                f"per-character readings spell {spelled!r} but the plate text is "
                f"{self.text!r}; they must line up one to one"
            )

    def to_dict(self) -> dict:
        """A JSON-friendly summary (no pixels)."""
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "backend": self.backend,
            "box": _box_list(self.box),
            "quad": None if self.quad is None else [
                [round(float(x), 1), round(float(y), 1)] for x, y in self.quad
            ],
            "chars": [char.to_dict() for char in self.chars],
            "timings": {stage: round(float(s), 4) for stage, s in self.timings.items()},
        }


def _check_confidence(confidence: float) -> None:
    if not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence must be within 0..1, got {confidence!r}")


def _box_list(box: tuple[int, int, int, int] | None) -> list[int] | None:
    return None if box is None else [int(v) for v in box]
