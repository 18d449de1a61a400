"""Character evidence: a plate is a row of character-like blobs.

The idea: threshold the image *locally* (each pixel against the mean of its
neighbourhood, so shadows and uneven light do not matter), label the connected
blobs of "ink", and keep only the blobs whose size, shape and fill look like a
character. Characters of a plate then stand in a row: similar heights, aligned
centres, small gaps. Blobs close enough to their neighbours are linked into
*text lines*; a line of three or more regular characters is a plate candidate.

Both polarities are tried: dark characters on a light plate (most plates) and
light characters on a dark plate.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

import cv2
import numpy as np

from segmentation.characters import long_horizontal_runs

# What a single character blob may look like (measured on its bounding box).
MIN_ASPECT, MAX_ASPECT = 0.12, 1.15   # width / height: from "1" and "I" to "W" and "M"
MIN_FILL, MAX_FILL = 0.18, 0.92       # ink pixels / box area: strokes, not solid rectangles
LINK_GAP = 0.6                        # blobs closer than this many heights are linked
SEPARATOR_MAX = 1.0                   # one gap inside a row up to this many heights wide
                                      # separates groups and is not counted as irregular


@dataclass(frozen=True)
class TextLine:
    """A row of character-like blobs, in the coordinates of the image it was found in."""

    char_boxes: np.ndarray   # (n, 4) int  x, y, w, h of each character, left to right
    polarity: str            # "dark" (dark characters on light) or "light"
    angle: float             # degrees, the slope of the row (positive: descending to the right)
    height_spread: float     # std / median of character heights (0 = all equal)
    baseline_spread: float   # std of character centres off the fitted row, in heights
    gap_spread: float        # std / median of the gaps between characters

    @property
    def count(self) -> int:
        return len(self.char_boxes)

    @property
    def char_height(self) -> float:
        return float(np.median(self.char_boxes[:, 3]))

    def regularity(self, gap_weight: float = 0.5) -> float:
        """1 for characters of one height on a straight line with even gaps, falling
        towards 0 as heights, centres and (weighted by ``gap_weight``) gaps scatter."""
        return math.exp(-2.5 * self.height_spread - 4 * self.baseline_spread
                        - gap_weight * self.gap_spread)


def threshold_characters(gray: np.ndarray, polarity: str, block_size: int,
                         offset: float = 7) -> np.ndarray:
    """Local (adaptive mean) threshold: 255 where a pixel is *ink* of the given polarity.

    A pixel is dark ink when it is ``offset`` darker than the mean of its
    ``block_size`` neighbourhood (light ink: that much lighter).
    """
    if polarity == "dark":
        return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                     cv2.THRESH_BINARY_INV, block_size, offset)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY, block_size, -offset)


def without_long_runs(binary: np.ndarray, length: int) -> np.ndarray:
    """The ink less its horizontal runs of ``length`` pixels or more.

    A character is only so wide, so a longer run of ink is a line: a frame's edge, the
    lower edge of a plate's recess, a bumper's shadow. Characters that touch it are one
    blob with it, and too big to pass for characters, until it is taken away
    (:func:`segmentation.characters.long_horizontal_runs` finds the long runs;
    subtracting them leaves the rest).
    """
    return cv2.subtract(binary, long_horizontal_runs(binary, length))


def character_blobs(binary: np.ndarray, min_height: float, max_height: float,
                    connectivity: int = 8) -> np.ndarray:
    """The ``(x, y, w, h)`` boxes of connected blobs shaped like characters.

    ``connectivity`` 4 keeps apart characters that touch only at a corner, as
    neighbouring characters of small, blurred print often do.
    """
    # Grana's block-based labelling: the same labels, ~40% faster on noisy thresholds.
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(binary, connectivity, cv2.CV_32S,
                                                                   cv2.CCL_GRANA)
    stats = stats[1:]  # label 0 is the background
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    aspect = w / h
    fill = area / (w * h)
    keep = ((h >= min_height) & (h <= max_height) & (aspect >= MIN_ASPECT)
            & (aspect <= MAX_ASPECT) & (fill >= MIN_FILL) & (fill <= MAX_FILL) & (w >= 2))
    return stats[keep, :4]


def link_into_lines(blobs: np.ndarray, image_shape, polarity: str, min_count: int = 3,
                    link_gap: float = LINK_GAP) -> list[TextLine]:
    """Link character blobs into rows.

    Each blob is widened sideways by ``link_gap`` of its height (and trimmed a little
    top and bottom, to keep rows of different heights apart); blobs whose widened
    boxes touch belong to one row. Within a row, blobs of an odd height or off the
    row's line are dropped, and the rest are measured for regularity.
    """
    if len(blobs) == 0:
        return []
    widened = _widened(blobs, link_gap)
    if len(blobs) <= SMALL_LINK:
        row_of_blob = _link_pairwise(*widened.T)
    else:  # many blobs: draw the widened boxes, and let connected components link them
        row_labels = cv2.connectedComponents(draw_links(blobs, image_shape, link_gap))[1]
        x, y, w, h = blobs.T
        cx = np.clip(x + w // 2, 0, image_shape[1] - 1)
        cy = np.clip(y + h // 2, 0, image_shape[0] - 1)
        row_of_blob = row_labels[cy, cx]
    rows: dict[int, list] = {}
    for blob, row_id in zip(blobs.tolist(), row_of_blob.tolist(), strict=True):
        rows.setdefault(row_id, []).append(blob)
    lines = []
    for members in rows.values():
        if len(members) >= min_count:
            line = _measure_row(members, polarity, min_count)
            if line is not None:
                lines.append(line)
    return lines


def draw_links(blobs: np.ndarray, image_shape, link_gap: float = LINK_GAP) -> np.ndarray:
    """The widened blobs drawn in white: touching boxes make one row (for teaching)."""
    canvas = np.zeros(image_shape[:2], np.uint8)
    for x0, y0, x1, y1 in _widened(blobs, link_gap).tolist():
        cv2.rectangle(canvas, (x0, y0), (x1, y1), 255, -1)
    return canvas


def _widened(blobs: np.ndarray, link_gap: float) -> np.ndarray:
    """``(x0, y0, x1, y1)`` of each blob, widened by ``link_gap`` heights, trimmed 15%."""
    x, y, w, h = blobs.T
    pad = np.round(h * link_gap / 2).astype(int)
    trim = np.round(h * 0.15).astype(int)
    return np.stack([x - pad, y + trim, x + w + pad, y + h - trim], axis=1)


SMALL_LINK = 48  # up to this many blobs, link them pair by pair instead of by drawing


def _link_pairwise(x0, y0, x1, y1) -> np.ndarray:
    """Row ids of boxes linked when they touch: what drawing them would link, without
    drawing (for a few boxes, much faster)."""
    columns = (x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist(), range(len(x0)))
    boxes = sorted(zip(*columns, strict=True))
    parent = list(range(len(boxes)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, top_i, right_i, bottom_i, index_i) in enumerate(boxes):
        for left_j, top_j, _, bottom_j, index_j in boxes[i + 1:]:
            if left_j > right_i:
                break
            if top_j <= bottom_i and top_i <= bottom_j:
                parent[root(index_i)] = root(index_j)
    return np.array([root(i) + 1 for i in range(len(boxes))])


def _measure_row(boxes: list, polarity: str, min_count: int) -> TextLine | None:
    """Keep the consistent core of a row of blobs and measure how regular it is.

    Rows hold a handful of blobs, so this works on plain Python numbers: for so few,
    that is several times faster than numpy's per-call overhead.
    """
    rows = sorted(map(tuple, boxes))
    median_h = statistics.median(b[3] for b in rows)
    rows = [b for b in rows if 0.75 * median_h < b[3] < 1.3 * median_h]
    if len(rows) < min_count:
        return None
    centres = [(x + w / 2, y + h / 2) for x, y, w, h in rows]
    slope, intercept = _fit_line(centres)
    median_h = statistics.median(b[3] for b in rows)
    residuals = [cy - (slope * cx + intercept) for cx, cy in centres]
    kept = [(b, r) for b, r in zip(rows, residuals, strict=True) if abs(r) < 0.3 * median_h]
    if len(kept) < min_count:
        return None
    rows = [b for b, _ in kept]
    residuals = [r for _, r in kept]
    gaps = [b[0] - (a[0] + a[2]) for a, b in itertools.pairwise(rows)]
    if any(gap < -0.5 * b[2] for gap, b in zip(gaps, rows[1:], strict=True)):
        return None  # overlapping boxes: not a row of separate characters
    gap_scale = max(statistics.median(abs(g) for g in gaps), 0.05 * median_h)
    return TextLine(
        char_boxes=np.array(rows, dtype=int),
        polarity=polarity,
        angle=math.degrees(math.atan(slope)),
        height_spread=_spread(b[3] for b in rows) / median_h,
        baseline_spread=_spread(residuals) / median_h,
        gap_spread=_spread(_without_separator(gaps, median_h)) / (gap_scale + 0.2 * median_h),
    )


def _without_separator(gaps: list, height: float) -> list:
    """The gaps without the widest one when that one is inside the row.

    Many plates split their characters into groups by a wider gap, a dash or an
    emblem (``ABC 1234``, ``RK-875AE``): one wide gap between characters is part of
    the layout, not irregularity. A wide gap at either end is not forgiven: there it
    more often sets off a bolt or a symbol that is no character.
    """
    if len(gaps) < 4:
        return gaps
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    if widest in (0, len(gaps) - 1) or gaps[widest] > SEPARATOR_MAX * height:
        return gaps
    return gaps[:widest] + gaps[widest + 1:]


def _fit_line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares ``y = slope * x + intercept`` (closed form; flat when degenerate)."""
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    spread = sum((p[0] - mx) ** 2 for p in points)
    if spread < 1e-9:
        return 0.0, my
    slope = sum((p[0] - mx) * (p[1] - my) for p in points) / spread
    return slope, my - slope * mx


def _spread(values) -> float:
    """Population standard deviation in plain floats (``statistics.pstdev`` is exact but
    slow, computing with fractions)."""
    values = list(values)
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
