"""The small value types the detection stage hands back."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class PlateCandidate:
    """One place in a photo that looks like a licence plate.

    Attributes:
        box: ``(x, y, w, h)`` axis-aligned bounding box in the photo's pixels.
        quad: 4x2 float32 corners, clockwise from top-left, in the photo's pixels.
        crop: the plate cut out along ``quad`` and warped to a rectangle
            (perspective-corrected), BGR ``uint8``.
        score: 0..1, how plate-like the region is; candidates are returned best first.
        method: which proposal found it (``"morphology"``, ``"characters"``...), for teaching.
        details: the evidence behind ``score`` (aspect, edge density, character count...).
    """

    box: tuple[int, int, int, int]
    quad: np.ndarray
    crop: np.ndarray
    score: float
    method: str = ""
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """A JSON-friendly summary (no pixels)."""
        return {
            "box": [int(v) for v in self.box],
            "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in self.quad],
            "score": round(float(self.score), 4),
            "method": self.method,
        }
