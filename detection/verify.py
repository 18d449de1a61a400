"""Verification: does a candidate region really hold a row of plate characters?

Proposals are cheap and many; verification looks closer at each. The candidate is
cut out and warped upright at a fixed height, then binarised several ways (a global
Otsu threshold, which separates ink from plate when the plate is evenly lit, and a
local threshold, which survives shadows), in both polarities. In each binarisation
the character-like blobs are linked into rows, and the most plate-like row is the
evidence: how many characters, how regular, how much of the plate they span, how
strongly they stand out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from detection.characters import TextLine, character_blobs, link_into_lines
from segmentation.characters import remove_frame

VERIFY_HEIGHT = 48  # candidates are examined warped to this height (px)
CONVINCING = 0.6    # evidence this strong ends the search early
# Inside a candidate, characters may stand further apart than in the open scene: many
# plates separate groups of characters by a gap, a dash or a dot (Brazil's ABC·1234).
PLATE_LINK_GAP = 1.5
# A candidate cut loosely around a small plate holds ink of the characters' shade above
# and below them (a dark frame, the bumper), so the columns through their stems are
# mostly ink and ``remove_frame`` blanks them with the frame: the characters are left as
# slivers (``UG9 L8U`` in endtoend/us ``wts-lg-000099``: 2 character-like blobs). One
# more variant therefore blanks the frame's rows but only the columns near the sides.
FRAME_EDGES = (0.5, 0.12)  # remove_frame's ``edge``: rows anywhere, columns within 12%
# Its rows are trusted a little less than the others: at full value they outranked the
# plate in some synthetic scenes (bench_detection.py --synthetic 200: top-1 57.5% ->
# 54.0%); at 0.7-0.9 nothing fell. Measured with 0.8, top-1 / whole / top-3: us 79.1 /
# 74.5 / 90.9% -> 83.6 / 79.1 / 95.5%, eu and br unchanged, synthetic 57.5 / 45.5 / 76.0%
# -> 58.5 / 46.0 / 79.5%.
EDGES_DISCOUNT = 0.8


@dataclass(frozen=True)
class PlateEvidence:
    """What verification found inside one candidate crop."""

    score: float            # 0..1, how plate-like
    row: TextLine | None    # the best row of characters, in crop coordinates
    binarisation: str       # which binarisation found it, e.g. "otsu-dark"
    contrast: float         # |ink - background| / 255 of that row


def binarisations(gray: np.ndarray, polarity: str | None = None):
    """The ways a plate crop is binarised, as (name, polarity, binary image) tuples.

    Otsu's threshold is computed on the crop's central band, where characters and
    plate background dominate; over the whole crop, the car around the plate would
    pull it away. Characters cover less of a plate than its background does, so the
    minority side of that threshold tells the polarity; only when the split is
    close to even are both polarities tried. A ``polarity`` already known ("dark"
    or "light") is the only one tried.
    """
    h, w = gray.shape
    centre = gray[h // 4: h - h // 4, w // 8: w - w // 8]
    level, _ = cv2.threshold(centre, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, otsu = cv2.threshold(gray, level, 255, cv2.THRESH_BINARY)
    if polarity is None:
        dark_share = float(np.count_nonzero(centre <= level)) / centre.size
        polarities = ["dark"] if dark_share < 0.42 else ["light"] if dark_share > 0.58 else \
            ["dark", "light"]
    else:
        polarities = [polarity]
    block = max(3, (h // 2) | 1)
    for kind in polarities:
        yield f"otsu-{kind}", kind, (255 - otsu if kind == "dark" else otsu)
        mode = cv2.THRESH_BINARY_INV if kind == "dark" else cv2.THRESH_BINARY
        offset = 5 if kind == "dark" else -5
        yield f"local-{kind}", kind, cv2.adaptiveThreshold(
            gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode, block, offset)


# Eroding ink vertically cuts the thin bridges by which characters touch a plate's
# frame or the small print above and below them.
_CUT_BRIDGES = np.ones((3, 1), np.uint8)


def verify_candidate(crop_gray: np.ndarray, polarity: str | None = None,
                     band: tuple[int, int] | None = None) -> PlateEvidence:
    """Find the most plate-like row of characters in an upright gray candidate crop.

    Only characters of ``polarity`` are looked for, when it is known; only between the
    crop's rows ``band = (top, bottom)``, when given (see :func:`within_band`).
    """
    return best_rows(crop_gray, polarity, band)[0]


def best_rows(crop_gray: np.ndarray, polarity: str | None = None,
              band: tuple[int, int] | None = None,
              accepts: tuple[Callable[[TextLine], bool] | None, ...] = (None,)
              ) -> list[PlateEvidence]:
    """:func:`verify_candidate`'s search, for several questions in one pass: for each
    of ``accepts``, the best row it accepts (``None`` accepts every row). Each answer
    stops improving once it is convincing, as a search of its own would stop there."""
    height = crop_gray.shape[0]
    bests = [PlateEvidence(0.0, None, "", 0.0) for _ in accepts]
    for name, kind, binary in binarisations(crop_gray, polarity):
        if band is not None:
            binary = within_band(binary, *band)
        unframed = remove_frame(binary)
        variants = [("", binary)]
        if unframed is not binary:
            variants.append(("-unframed", unframed))
            edges = remove_frame(binary, edge=FRAME_EDGES)
            if not np.array_equal(edges, unframed):  # only where columns inside were blanked
                variants.append(("-edges", edges))
        variants.append(("-cut", None))   # made only when needed
        for suffix, ink in variants:
            searching = [best.score < CONVINCING for best in bests]
            if not any(searching):
                return bests
            if ink is None:
                ink = cv2.erode(unframed, _CUT_BRIDGES)
            blobs = character_blobs(ink, 0.28 * height, 0.95 * height, connectivity=4)
            rows = link_into_lines(blobs, ink.shape, kind, link_gap=PLATE_LINK_GAP)
            for row in rows:
                score = None
                for k, accept in enumerate(accepts):
                    if not searching[k] or (accept is not None and not accept(row)):
                        continue
                    if score is None:
                        contrast = _row_contrast(crop_gray, ink, row)
                        score = row_score(row, crop_gray.shape, contrast)
                        if suffix == "-edges":
                            score *= EDGES_DISCOUNT
                    if score > bests[k].score:
                        bests[k] = PlateEvidence(score, row, name + suffix, contrast)
    return bests


def within_band(binary: np.ndarray, top: int, bottom: int) -> np.ndarray:
    """The ink between rows ``top`` and ``bottom`` (exclusive), less what spans them all.

    Where the line of characters is known, ink above and below it is only in the way:
    a character that touches the plate's dirty edge, its frame or the small print is
    one blob with them, too tall to pass for a character, until the band cuts it free.
    The cut also makes the frame's sides and posts, which run through the band, as tall
    as characters; so whatever spans the band from top to bottom is dropped.
    """
    out = np.zeros_like(binary)
    out[top:bottom] = binary[top:bottom]
    bottom = min(bottom, binary.shape[0])
    _, labels, stats, _ = cv2.connectedComponentsWithStats(out, connectivity=4)
    spans = (stats[:, 1] <= top) & (stats[:, 1] + stats[:, 3] >= bottom)
    spans[0] = False  # the background
    if spans.any():
        out[spans[labels]] = 0
    return out


def row_score(row: TextLine, crop_shape, contrast: float) -> float:
    """How plate-like a row of characters is, 0..1.

    Plates hold 5-9 characters (6-8 most often) of one height on a straight line with even gaps,
    spanning most of the plate's width, clearly darker or lighter than the plate.
    """
    n = row.count
    count_term = {3: 0.45, 4: 0.7, 5: 0.9, 6: 1.0, 7: 1.0, 8: 1.0, 9: 0.8}.get(n, 0.3)
    regularity = row.regularity()
    boxes = row.char_boxes
    span = ((boxes[:, 0] + boxes[:, 2]).max() - boxes[:, 0].min()) / crop_shape[1]
    span_term = min(1.0, span / 0.55)
    height_ratio = row.char_height / crop_shape[0]
    height_term = math.exp(-((height_ratio - 0.55) / 0.2) ** 2)
    contrast_term = min(1.0, contrast / 0.25)
    return float(count_term * regularity * span_term * (0.5 + 0.5 * height_term)
                 * (0.4 + 0.6 * contrast_term) * not_bars_term(boxes))


BAR_ASPECT = 0.25  # width / height below this, a blob is a bar: a "1", an "I"... or a fence


def not_bars_term(boxes: np.ndarray) -> float:
    """1 unless most of a row's members are thin bars, falling to 0 when all are.

    A fence, a grille or a radiator is a very regular row of character-sized bars, more
    regular than most plates; a plate of mostly ``1`` and ``I`` is rare.
    """
    bars = float(np.mean(boxes[:, 2] < BAR_ASPECT * boxes[:, 3]))
    return 1.0 if bars <= 0.5 else 2.0 * (1.0 - bars)


def _row_contrast(gray: np.ndarray, binary: np.ndarray, row: TextLine) -> float:
    x0 = int(row.char_boxes[:, 0].min())
    x1 = int((row.char_boxes[:, 0] + row.char_boxes[:, 2]).max())
    y0 = int(row.char_boxes[:, 1].min())
    y1 = int((row.char_boxes[:, 1] + row.char_boxes[:, 3]).max())
    region, ink = gray[y0:y1, x0:x1], binary[y0:y1, x0:x1] > 0
    if ink.all() or not ink.any():
        return 0.0
    return abs(float(region[ink].mean()) - float(region[~ink].mean())) / 255.0
