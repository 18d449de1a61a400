"""Binarisation: split a plate crop into *ink* (characters) and *background*.

No single threshold works on every plate. A **global** threshold (Otsu's method picks
the gray level that best separates the histogram's two humps) is clean when the plate
is evenly lit; a **local** threshold (each pixel against a weighted mean of its
neighbourhood) survives shadows and gradients but also picks up background texture.
Characters can be darker than the plate (most plates) or lighter (white on black), so
each threshold is taken in the polarity the crop suggests, or in both when it is
unclear. Low-contrast crops are first spread out by CLAHE (contrast-limited adaptive
histogram equalisation), which stretches contrast tile by tile.

The segmenter tries every binarisation made here and keeps the one whose characters
look most like a plate's (see :mod:`segmentation.lines`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.filters import threshold_otsu

from segmentation.normalize import percentiles_u8

WORK_HEIGHT = 64
"""Crops are binarised resized to this height: characters (about half of a tight plate
crop) are then ~30 px tall, enough for their strokes, and every crop costs the same."""

LOW_CONTRAST = 60
"""Crops whose central 5th-95th percentile gray range is under this get CLAHE first."""


@dataclass(frozen=True)
class Binarisation:
    """One way of splitting the crop: 255 where there is ink of ``polarity``."""

    name: str          # e.g. "otsu-dark", "local-light"
    polarity: str      # "dark": dark characters on a light plate; "light": the reverse
    ink: np.ndarray    # uint8, 255 = ink, same shape as the working gray image


def working_size(crop: np.ndarray, height: int = WORK_HEIGHT) -> tuple[np.ndarray, float]:
    """The crop resized to ``height`` px, and the scale from crop to working pixels."""
    crop = np.asarray(crop)
    scale = height / crop.shape[0]
    width = max(1, int(round(crop.shape[1] * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(crop, (width, height), interpolation=interp), scale


def contrast_gray(image: np.ndarray) -> np.ndarray:
    """A gray image of a (working-size) crop: luminance, or the single colour channel
    with clearly more contrast when colour carries the characters (red characters on
    white are faint in plain luminance)."""
    if image.ndim == 2:
        return image
    gray = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
    best, best_spread = gray, _spread(gray) * COLOUR_GAIN
    for channel in cv2.split(image[..., :3]):
        spread = _spread(channel)
        if spread > best_spread:
            best, best_spread = channel, spread
    return best


COLOUR_GAIN = 1.3
"""A single colour channel replaces luminance only when its contrast is this much larger."""


def _spread(gray: np.ndarray) -> float:
    """Contrast of the central band: the gap between its 5th and 95th percentile."""
    lo, hi = percentiles_u8(central_band(gray), (5, 95))
    return hi - lo


def central_band(gray: np.ndarray) -> np.ndarray:
    """The middle of the crop, where characters and plate dominate over surroundings."""
    h, w = gray.shape
    return gray[h // 4: h - h // 4, w // 10: w - w // 10]


def ink_polarities(gray: np.ndarray) -> tuple[list[str], float]:
    """Both polarities, the likelier first, and Otsu's level on the central band.

    Characters cover less of a plate than its background, so the minority side of
    Otsu's split is probably the ink. Only probably: bold characters, or a dark car
    around a loosely cut plate, can tip the balance, so the other polarity is tried too
    and the segmenter's consistency score decides.
    """
    centre = central_band(gray)
    level = float(threshold_otsu(centre)) if np.ptp(centre) > 0 else float(centre.mean())
    dark_share = float(np.count_nonzero(centre <= level)) / centre.size
    return (["dark", "light"] if dark_share <= 0.5 else ["light", "dark"]), level


def enhance_contrast(gray: np.ndarray) -> np.ndarray:
    """CLAHE when the crop is dull; the crop unchanged when it already has contrast."""
    if _spread(gray) >= LOW_CONTRAST:
        return gray
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(2, max(1, gray.shape[1] // 64)))
    return clahe.apply(gray)


def binarisations(gray: np.ndarray):
    """Every binarisation the segmenter tries on a working-size gray crop, likeliest first.

    A generator, so that a search that is satisfied early skips the rest:

    * ``otsu``: one global level, from the central band;
    * ``local``: each pixel against a Gaussian-weighted mean of a neighbourhood as tall
      as the crop (what scikit-image's ``threshold_local(method="gaussian")`` computes,
      done with OpenCV's ``GaussianBlur``, ~10x faster here), good under shadows;
    * ``adaptive``: OpenCV's mean adaptive threshold over a smaller block (3/4 of the
      crop's height, still wider than any stroke), which keeps blurred characters apart.
    """
    polarities, level = ink_polarities(gray)
    height = gray.shape[0]
    local_level = None
    for polarity in polarities:
        dark = polarity == "dark"
        otsu = (gray <= level) if dark else (gray > level)
        yield Binarisation(f"otsu-{polarity}", polarity, otsu.astype(np.uint8) * 255)
        if local_level is None:
            block = height | 1  # wider than any stroke, or thick strokes turn hollow
            local_level = cv2.GaussianBlur(gray.astype(np.float32), (0, 0),
                                           sigmaX=(block - 1) / 6, borderType=cv2.BORDER_REFLECT)
        local = (gray < local_level - 4) if dark else (gray > local_level + 4)
        yield Binarisation(f"local-{polarity}", polarity, local.astype(np.uint8) * 255)
        mode = cv2.THRESH_BINARY_INV if dark else cv2.THRESH_BINARY
        adaptive = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode,
                                         (3 * height // 4) | 1, 6 if dark else -6)
        yield Binarisation(f"adaptive-{polarity}", polarity, adaptive)
