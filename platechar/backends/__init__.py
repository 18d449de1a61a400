"""Recognition backends: one module each, each with ``load() -> recognizer`` whose
``recognize(crop_bgr)`` returns a :class:`~platechar.results.PlateReading`
(registered in :data:`platechar.reader.BACKENDS`). The checks every backend applies to
what it is given live here."""

from __future__ import annotations

import numpy as np

from platechar.errors import ImageError

KNOWN_BACKENDS = ("segmented", "holistic")
"""Every backend platechar defines, installed or not; the first is the default. (Here,
not in :mod:`platechar.reader`, so that the CLI can list them without importing the
detection stage.)"""


def check_crop(crop, backend: str, min_side: int) -> np.ndarray:
    """A plate crop as a backend reads it: ``uint8``, gray ``(H, W)`` or BGR(A)
    ``(H, W, 3|4)`` (``(H, W, 1)`` becomes ``(H, W)``), each side at least ``min_side``.
    Anything else is an :class:`ImageError` naming what was given."""
    if not isinstance(crop, np.ndarray) or crop.dtype != np.uint8 or crop.ndim not in (2, 3) \
            or (crop.ndim == 3 and crop.shape[2] not in (1, 3, 4)) \
            or min(crop.shape[:2]) < min_side:
        got = (f"a {crop.dtype} array of shape {crop.shape}" if isinstance(crop, np.ndarray)
               else type(crop).__name__)
        raise ImageError(f"the {backend} backend reads uint8 plate crops, (H, W) gray or "
                         f"(H, W, 3) BGR, at least {min_side}x{min_side}; got {got}")
    return crop[..., 0] if crop.ndim == 3 and crop.shape[2] == 1 else crop


def unit(value: float) -> float:
    """A probability clipped to 0..1 (float round-off can step just outside)."""
    return float(min(1.0, max(0.0, value)))
