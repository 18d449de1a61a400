"""Character candidates: connected blobs of ink, judged by their shape.

After binarisation, every *connected component* (a blob of touching ink pixels) is a
candidate. A character has a typical shape: taller than wide (up to "W" and "M"),
neither a thin line nor a solid block, and a height that is a good share of the plate's.
Blobs failing that are rejected with a reason (bolts and dirt are *small*, the frame and
the car around a loose crop *large*, dashes *flat*). Later, once the text line is known,
pieces of a broken character are *merged* and characters that touch are *split*.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_HEIGHT_SHARE = 0.2   # of the crop's height: smaller blobs are small print or dirt
MAX_HEIGHT_SHARE = 0.96  # taller ones run from edge to edge: frame, car body
MIN_ASPECT = 0.05        # width / height, "1" and "I" in narrow fonts (DejaVu's I: 2 x 30 px)
MAX_ASPECT = 1.25        # "W" and "M"; wider blobs may be touching characters
MAX_JOINED_ASPECT = 4.0  # wider still is a bar or a frame, never characters
MIN_FILL, MAX_FILL = 0.12, 0.97  # ink share of the bounding box
SOLID_ASPECT = 0.45  # a solid box (over MAX_FILL) wider than this is a block, not an I ...
SOLID_I_HEIGHT = 0.35  # ... and so is one from 0.3 that is shorter than this share of the crop
"""A bold sans-serif ``I`` (Brazil's old plates) is a solid box about 0.35 as wide as
tall: it was judged a block from 0.3. Measured (``bench_segmentation.py --synthetic 1000
--seed 7|11|12|13 --augment none``): misses 8 / 13 / 8 / 14 -> 8 / 13 / 7 / 12; the real
crops' count unchanged. Without the height test the pieces of plate between bold
characters, in the wrong polarity, came in as solid boxes too (seed 11: 14 misses)."""


@dataclass(frozen=True)
class Blob:
    """A candidate's box ``(x, y, w, h)`` in working pixels and how much ink it holds."""

    x: int
    y: int
    w: int
    h: int
    area: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def aspect(self) -> float:
        return self.w / self.h

    @property
    def fill(self) -> float:
        """The ink's share of the box: strokes fill a part of it, a solid block all."""
        return self.area / (self.w * self.h)


def blobs_of(ink: np.ndarray) -> list[Blob]:
    """Every 4-connected blob of ink (4-connectivity keeps apart characters that touch
    only at a corner, as neighbours in small, blurred print often do)."""
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        ink, 4, cv2.CV_32S, cv2.CCL_GRANA)
    return [Blob(*row) for row in stats[1:].tolist()]


FRAME_INK_SHARE = 0.6  # a row or column this full of ink is frame, not characters


def remove_frame(ink: np.ndarray, share: float = FRAME_INK_SHARE,
                 edge: tuple[float, float] | None = None) -> np.ndarray:
    """Blank the rows and columns that are mostly ink: a plate's frame, or the dark car
    around a tightly cut plate, to which the characters would otherwise stay joined.
    (A *projection profile*: the share of ink in each row and each column.)

    With ``edge`` (fractions of the height and of the width), only rows and columns
    that close to the crop's border are blanked: in a plate crop the frame is at the
    border, while a row or column through the middle may be full of bold characters.

    Why not scikit-image's ``clear_border``, which drops every blob touching the image's
    border? A plate crop's border is often the characters' own: a tight crop from the
    detector or a labelled dataset cuts through the first or last character, or the
    characters touch the crop's top and bottom. Dropping what touches the border after
    this frame removal cost the real crops' count 92.8% -> 89.1% and changed no
    synthetic figure (``bench_segmentation.py``, a one-off change, 2026-11-23). The
    border is handled blob by blob instead: thin uprights at the side are judged the
    frame (:func:`judge`, ``edge``) unless they are a character cut by the crop.
    """
    h, w = ink.shape
    inked = (ink > 0).view(np.uint8)  # 0/1, for integer sums (cv2.reduce: no numpy overhead)
    rows = cv2.reduce(inked, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() > share * w
    cols = cv2.reduce(inked, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() > share * h
    if edge is not None:
        rows[int(edge[0] * h): h - int(edge[0] * h)] = False
        cols[int(edge[1] * w): w - int(edge[1] * w)] = False
    if not rows.any() and not cols.any():
        return ink
    out = ink.copy()
    out[rows, :] = 0
    out[:, cols] = 0
    return out


EDGE_ZONE = 0.04  # of the crop's width: thin blobs this close to its side are frame


LINE_LENGTH = 0.25  # of the crop's width: horizontal ink runs this long are lines, not strokes


def long_horizontal_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """Only the ink's horizontal runs of ``length`` pixels or more: an *opening* with a
    flat ``length`` x 1 kernel (an erosion, which keeps the runs' middles, then a dilation,
    which gives them back their ends)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (int(length), 1))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)


def long_vertical_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """Only the ink's vertical runs of ``length`` pixels or more (the upright twin of
    :func:`long_horizontal_runs`: an opening with a 1 x ``length`` kernel)."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(length)))
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)


def remove_thin_lines(ink: np.ndarray, thickness: int) -> np.ndarray:
    """Erase long, thin horizontal lines (a frame's top or bottom edge, an underline)
    by morphological *opening*: an opening with a long flat kernel keeps only the runs
    of ink at least a quarter of the crop wide, a second one with an upright kernel
    ``thickness`` pixels tall keeps the bold parts of those, and what is long but thin
    is subtracted. A character's strokes are shorter, so characters that touched such a
    line come free; a bold bar of a character that meets a line (the top of a ``5``
    joined to the scenery) is thicker, and stays."""
    if ink.size == 0:
        return ink
    lines = long_horizontal_runs(ink, max(3, int(LINE_LENGTH * ink.shape[1])))
    if not lines.any():
        return ink
    bold = cv2.morphologyEx(lines, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (1, max(2, int(thickness)))))
    return cv2.subtract(ink, cv2.subtract(lines, bold))


def judge(blob: Blob, crop_shape: tuple[int, int]) -> str:
    """``""`` for a character-shaped blob, else why not: tiny (specks), small, large,
    thin, wide, fill, or edge (a thin upright bar at the crop's side: the frame)."""
    crop_height, crop_width = crop_shape[:2]
    if blob.h < 3 or blob.area < 8:
        return "tiny"
    if blob.aspect < 0.3 and (blob.x < EDGE_ZONE * crop_width
                              or blob.right > (1 - EDGE_ZONE) * crop_width):
        return "edge"
    if blob.h < MIN_HEIGHT_SHARE * crop_height or blob.h < 6:
        return "small"
    if blob.h > MAX_HEIGHT_SHARE * crop_height:
        return "large"
    if blob.aspect < MIN_ASPECT:
        return "thin"
    if blob.aspect > MAX_JOINED_ASPECT:
        return "wide"
    fill = blob.fill
    solid = fill > MAX_FILL and (blob.aspect > SOLID_ASPECT or blob.aspect > 0.3
                                 and blob.h < SOLID_I_HEIGHT * crop_height)
    if fill < MIN_FILL or solid:
        return "fill"
    return ""


def union(blobs: list[Blob]) -> Blob:
    x0 = min(b.x for b in blobs)
    y0 = min(b.y for b in blobs)
    x1 = max(b.right for b in blobs)
    y1 = max(b.bottom for b in blobs)
    return Blob(x0, y0, x1 - x0, y1 - y0, sum(b.area for b in blobs))


def merge_pieces(pieces: list[Blob], top: float, bottom: float, height: float) -> list[Blob]:
    """Join pieces of broken characters: blobs inside the text line's rows that overlap
    horizontally and together make a blob of about the line's height."""
    pieces = sorted(pieces, key=lambda b: b.x)
    groups: list[list[Blob]] = []
    for piece in pieces:
        if groups:
            last = union(groups[-1])
            overlap = min(last.right, piece.right) - max(last.x, piece.x)
            if overlap > 0.5 * min(last.w, piece.w):
                groups[-1].append(piece)
                continue
        groups.append([piece])
    merged = []
    for group in groups:
        if len(group) < 2 or _stacked_letters(group, height):
            continue
        joined = union(group)
        if _covered_height(group) < PIECES_COVER * joined.h:
            continue  # a dash or a dot with specks above and below it, not a character
        if 0.8 * height <= joined.h <= 1.2 * height and joined.y >= top and \
                joined.bottom <= bottom and MIN_ASPECT <= joined.aspect <= MAX_ASPECT:
            merged.append(joined)
    return merged


PIECES_COVER = 0.6
"""Of a merged character's height: how much of it its pieces must cover. A character
broken by a thin stroke or glare is mostly ink from top to bottom, with short gaps; a
separator (a dash, the dots of a coat of arms) with a speck of dirt above and below it
spans the line's height with little ink between. Measured on the crops that the
segmented backend reads in the ``endtoend`` photos (``bench_segmentation.py --endtoend``,
with the crops of then): 181 -> 184 of 210 with the right count (Slovak dashes and coats
of arms: four European crops more, one fewer); the 359 ``seg_and_ocr`` crops' count
unchanged in all but one, Maryland's ``ADT 80S``, which had the right count only because
a piece of its heron stood in for the ``T`` it missed."""


def _covered_height(group: list[Blob]) -> int:
    """How many of the rows a group of pieces spans hold at least one of them."""
    covered, reach = 0, -1
    for piece in sorted(group, key=lambda b: b.y):
        start = max(piece.y, reach)
        if piece.bottom > start:
            covered += piece.bottom - start
        reach = max(reach, piece.bottom)
    return covered


def _stacked_letters(group: list[Blob], height: float) -> bool:
    """Two small letters one above the other (a county code, "DC", "PC") beside the
    characters, not the halves of a broken one: two pieces, each about half the line's
    height and shaped like a letter, with a clear gap between them."""
    if len(group) != 2:
        return False
    top, bottom = sorted(group, key=lambda b: b.y)
    gap = bottom.y - top.bottom
    if gap < STACK_GAP * height or not all(0.3 * height <= b.h <= 0.55 * height
                                           for b in group):
        return False
    letters = [0.4 <= b.aspect <= 1.3 for b in group]
    bars = [STACK_BAR_ASPECT <= b.aspect < 0.4 for b in group]
    return all(letters) or (any(letters) and any(bars))


STACK_GAP = 0.05
"""Of the line's height: a broken stroke leaves less between its pieces. Oregon's county
letters ``C`` over ``U`` stand 2 px apart at a line height of 32 (0.06); at 0.08 they
were merged into one character. Measured on the 359 real crops (``platechar compare``,
segmented): 85.2% -> 85.5% read exactly; the count and the synthetic figures unchanged."""
STACK_BAR_ASPECT = 0.12
"""Width / height from which a piece of a stacked pair may be a ``1`` (a bar) beside a
letter-shaped one: Wyoming's county number ``1`` over ``7`` was merged into one character
and read (``692`` as ``6692``). Two bars one above the other stay one character (a ``1``
or an ``I`` broken in two). Measured: the held-out real crops read by the segmented
backend 91.6% -> 92.3% (``bench_segmented.py``; that Wyoming plate); the 359 real crops'
count (92.8%, ``bench_segmentation.py``, which segments without the CNN), the
``endtoend`` counts and readings, and synthetic crops (seeds 7, 11, 13 unaugmented, 7
and 12 ``light``, 7 default; 1,000 each) unchanged. The train part's Wyoming ``248`` has
the same pair but is still misread: its horse is kept as a character."""
MAX_BRIDGE = 0.3  # a cut between touching characters crosses at most this much ink


def split_touching(blob: Blob, ink: np.ndarray, char_width: float,
                   max_bridge: float | None = None, centre_ties: bool = False) -> list[Blob]:
    """Cut a blob holding several touching characters at the emptiest columns.

    ``char_width`` is the line's typical character pitch; the blob is cut into
    ``round(w / char_width)`` parts, each cut at the column with the least ink (the
    *vertical projection profile*) near where an even split would put it. Touching
    characters meet at a narrow bridge, so each cut column must be nearly empty (at most
    ``max_bridge`` of the blob's height in ink, default :data:`MAX_BRIDGE`); a blob
    without such valleys (a band of background, a sticker) is returned whole, and so is
    one whose cut would go through a ``W``'s middle vertex (:func:`at_a_vertex`). With
    ``centre_ties``, a cut among several equally empty columns takes the middle one.
    """
    parts = int(round(blob.w / char_width))
    if parts < 2:
        return [blob]
    patch = ink[blob.y:blob.bottom, blob.x:blob.right] > 0
    column_ink = patch.sum(axis=0)
    cuts = [0]
    for k in range(1, parts):
        guess = k * blob.w / parts
        lo = max(cuts[-1] + 1, int(guess - 0.3 * char_width))
        hi = min(blob.w - 1, int(guess + 0.3 * char_width) + 1)
        if hi <= lo:
            return [blob]
        window = column_ink[lo:hi]
        if centre_ties:  # the middle of the emptiest columns (of a shared stem: its middle)
            ties = np.flatnonzero(window == window.min())
            cut = lo + int(ties[len(ties) // 2])
        else:
            cut = lo + int(np.argmin(window))
        if column_ink[cut] > (MAX_BRIDGE if max_bridge is None else max_bridge) * blob.h \
                or at_a_vertex(patch, cut):
            return [blob]
        cuts.append(cut)
    cuts.append(blob.w)
    return parts_between(blob, ink, cuts)


def parts_between(blob: Blob, ink: np.ndarray, cuts: list[int]) -> list[Blob]:
    """The blobs of ``blob`` between consecutive cut columns (offsets in its box, the
    first 0 and the last its width), each trimmed to its ink's rows."""
    out = []
    for left, right in zip(cuts[:-1], cuts[1:], strict=True):
        part = ink[blob.y:blob.bottom, blob.x + left:blob.x + right] > 0
        rows = np.flatnonzero(part.any(axis=1))
        if len(rows) == 0 or right - left < 2:
            continue
        out.append(Blob(blob.x + left, blob.y + int(rows[0]), right - left,
                        int(rows[-1] - rows[0] + 1), int(part.sum())))
    return out


FORK_REACH = 0.5  # of the blob's height: how far beyond a vertex its strokes are followed


def at_a_vertex(patch: np.ndarray, cut: int) -> bool:
    """Whether column ``cut`` of a blob (boolean ``patch``) runs through a vertex where
    two strokes meet at the top, the middle of a ``W`` (an upturned V from the top), not
    a bridge between two characters.

    A ``W`` is as wide as two narrow characters, and the column through its middle vertex
    holds little ink, so by the ink alone it looks like two touching characters. But
    its ink there is one run from the blob's top edge, and below the run the two
    strokes go apart: followed FORK_REACH of the height down, each is inked in every row,
    never more than 2 pixels from where it was a row above, and moves away from the
    column. Touching characters meet otherwise: two top bars
    (``TT``, ``77``) leave nothing on either side below, a bridge mid-height is not one
    run from an edge, and a ``V`` touching an ``0`` (their tops meet as a ``W``'s do) has
    only the ``V``'s stroke going away: the ``0``'s side runs straight down, or in.

    Measured (``bench_segmentation.py --synthetic 1000 --augment none``): a ``W`` was cut
    in two on 6 of the 25 plates missed (seed 7; 5 by :func:`split_touching`, 1 by the
    segmenter's stricter threshold). The same test for an ``M``'s vertex from the bottom
    (a one-off change) took ``22`` touching at their base for one, and is not made: no
    ``M`` was cut in two."""
    rows = np.flatnonzero(patch[:, cut])
    height, width = patch.shape
    if len(rows) == 0 or rows[-1] - rows[0] + 1 != len(rows) or cut < 1 or cut >= width - 1:
        return False  # no ink, or more than one run: a gap or a bridge, not a vertex
    reach = max(3, int(round(FORK_REACH * height)))
    if rows[0] > 1 or rows[-1] >= height - 2:
        return False  # not a run from the top edge
    beyond = range(rows[-1] + 1, min(height, rows[-1] + 1 + reach))
    gaps = []
    for row in beyond:
        left = np.flatnonzero(patch[row, :cut])
        right = np.flatnonzero(patch[row, cut + 1:])
        if len(left) == 0 or len(right) == 0:
            return False  # a stroke on one side only: no fork
        gaps.append((cut - left[-1], right[0] + 1))
    if len(gaps) < 3 or any(abs(a - c) > 2 or abs(b - d) > 2
                            for (a, b), (c, d) in zip(gaps[:-1], gaps[1:], strict=True)):
        return False  # the nearest ink jumps: not one stroke followed down on each side
    (left_near, right_near), (left_far, right_far) = gaps[0], gaps[-1]
    return left_near <= 2 and right_near <= 2 and left_far > left_near \
        and right_far > right_near
