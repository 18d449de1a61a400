"""Text lines: a plate's characters stand in a row of one height on a straight line.

Character-shaped blobs are linked when they have about the same height and sit at the
same level (their vertical extents overlap); chains of linked blobs are *rows*. A
state name, a slogan or a sticker forms a row of its own, of smaller print, so the
plate's characters are the row that looks most like a plate's: several characters,
uniform heights, aligned tops and bottoms, filling a good part of the crop's height.
Two rows of characters of similar height, one above the other, are a two-line plate,
read top row first.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from functools import cached_property

from segmentation.characters import Blob

HEIGHT_RATIO = 1.3       # linked blobs differ in height by at most this factor
LEVEL_OVERLAP = 0.6      # ... and overlap vertically by this share of the smaller one
SECOND_ROW_HEIGHT = 0.7  # a second row of a two-line plate: at least this tall vs the first


@dataclass(frozen=True)
class Row:
    """Characters in one line, left to right, with the line's geometry and regularity."""

    blobs: tuple[Blob, ...]
    slope: float            # of the line through the characters' centres
    height: float           # median character height
    height_spread: float    # std / median of heights (0: all equal)
    level_spread: float     # std of tops and bottoms off their fitted lines, in heights

    @property
    def count(self) -> int:
        return len(self.blobs)

    @cached_property
    def top(self) -> float:
        return float(statistics.median([b.y for b in self.blobs]))

    @cached_property
    def bottom(self) -> float:
        return float(statistics.median([b.bottom for b in self.blobs]))

    @property
    def left(self) -> int:
        return min(b.x for b in self.blobs)

    @property
    def right(self) -> int:
        return max(b.right for b in self.blobs)

    def regularity(self) -> float:
        """1 for equal heights on a straight line, falling as they scatter."""
        return math.exp(-3.0 * self.height_spread - 5.0 * self.level_spread)


def link_rows(blobs: list[Blob]) -> list[list[Blob]]:
    """Group blobs into chains of neighbours of similar height at the same level."""
    parent = list(range(len(blobs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(blobs):
        for j in range(i + 1, len(blobs)):
            b = blobs[j]
            if max(a.h, b.h) > HEIGHT_RATIO * min(a.h, b.h):
                continue
            overlap = min(a.bottom, b.bottom) - max(a.y, b.y)
            if overlap >= LEVEL_OVERLAP * min(a.h, b.h):
                parent[root(i)] = root(j)
    groups: dict[int, list[Blob]] = {}
    for i, blob in enumerate(blobs):
        groups.setdefault(root(i), []).append(blob)
    return list(groups.values())


def measure_row(blobs: list[Blob]) -> Row:
    """Fit the row's line and measure its regularity; blobs must be non-empty.

    (Plain Python arithmetic: a row has a handful of blobs, too few for numpy's
    per-call overhead to pay off, and this runs for every candidate row.)"""
    blobs = sorted(blobs, key=lambda b: b.x)
    heights = [b.h for b in blobs]
    median_h = statistics.median(heights)
    xs = [b.cx for b in blobs]
    mean_x = sum(xs) / len(xs)
    spread_x = sum((x - mean_x) ** 2 for x in xs)
    slope = 0.0
    if spread_x > 0:  # least squares line through the centres
        mean_y = sum(b.cy for b in blobs) / len(blobs)
        covariance = sum((x - mean_x) * (b.cy - mean_y) for x, b in zip(xs, blobs, strict=True))
        slope = covariance / spread_x
    slope = min(max(slope, -0.3), 0.3)
    shifts = [slope * (x - mean_x) for x in xs]
    tops = [b.y - d for b, d in zip(blobs, shifts, strict=True)]
    bottoms = [b.bottom - d for b, d in zip(blobs, shifts, strict=True)]
    level = (_std(tops) + _std(bottoms)) / 2 / median_h
    return Row(tuple(blobs), slope, float(median_h), _std(heights) / median_h, level)


def _std(values: list[float]) -> float:
    """Population standard deviation, as ``np.std``."""
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


COUNT_SCORE = {1: 0.05, 2: 0.2, 3: 0.45, 4: 0.7, 5: 0.9, 6: 1.0, 7: 1.0, 8: 1.0, 9: 0.85,
               10: 0.6}


def count_score(count: int) -> float:
    """How plausible a plate of ``count`` characters is, 0..1 (5-8 are the most common)."""
    return COUNT_SCORE.get(count, 0.3)


def shape_score(row: Row, crop_height: int) -> float:
    """How regular and how tall a row is, 0..1 (a plate's characters are its largest
    print: a row reaching 45% of ``crop_height`` counts fully)."""
    height_term = min(1.0, row.height / (0.45 * crop_height))
    return float(row.regularity() * (0.3 + 0.7 * height_term))


def row_score(row: Row, crop_height: int) -> float:
    """How much a row looks like a plate's characters, 0..1: a plausible count,
    regular, and tall."""
    return count_score(row.count) * shape_score(row, crop_height)


def plate_rows(rows: list[Row], crop_height: int) -> list[Row]:
    """The plate's rows in reading order: the best row, and a second one when the plate
    has two lines of characters of similar size, one above the other."""
    if not rows:
        return []
    ranked = sorted(rows, key=lambda r: row_score(r, crop_height), reverse=True)
    best = ranked[0]
    for other in ranked[1:]:
        if other.count < 2 or other.height < SECOND_ROW_HEIGHT * best.height \
                or other.height > best.height / SECOND_ROW_HEIGHT:
            continue
        above = other.bottom <= best.top + 0.15 * best.height
        below = other.top >= best.bottom - 0.15 * best.height
        side_overlap = min(other.right, best.right) - max(other.left, best.left)
        if (above or below) and side_overlap > 0:
            return [other, best] if above else [best, other]
    return [best]
