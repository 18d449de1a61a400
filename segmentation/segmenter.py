"""Segmentation: cut a plate crop into its characters, in reading order.

The classical recipe, step by step:

1. resize the crop to a working height and take its gray image (:mod:`.binarize`);
2. binarise it several ways (global and local thresholds, both polarities);
3. in each binarisation, find the ink's connected components and keep the
   character-shaped ones (:mod:`.characters`);
4. link them into text rows and pick the plate's row, or two rows for a two-line plate
   (:mod:`.lines`); split blobs that hold touching characters, merge broken pieces;
5. keep the binarisation whose characters are most consistent (uniform heights,
   aligned tops and bottoms, a plausible count): chosen by a score, not by luck;
   when the winner's characters enclose no hole (no 0, 8, A, B...), the other polarity
   is tried too, since in the wrong one the "characters" are pieces of the plate;
   when even the best is not good enough, try it once more with only the ink of the
   characters' own colour (which frees characters joined to a picture on the plate);
6. cut each character out of the crop with a small margin and normalise it for the
   classifier (:func:`segmentation.normalize.normalize_character`).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from segmentation.binarize import (
    Binarisation,
    binarisations,
    contrast_gray,
    enhance_contrast,
    working_size,
)
from segmentation.characters import (
    EDGE_ZONE,
    LINE_LENGTH,
    MAX_ASPECT,
    Blob,
    at_a_vertex,
    blobs_of,
    judge,
    long_vertical_runs,
    merge_pieces,
    parts_between,
    remove_frame,
    remove_thin_lines,
    split_touching,
)
from segmentation.lines import (
    Row,
    count_score,
    link_rows,
    measure_row,
    plate_rows,
    row_score,
    shape_score,
)
from segmentation.normalize import normalize_character

CUT_MARGIN = 0.05   # each character is cut with this share of its height around it
GOOD_ENOUGH = 0.85
"""A binarisation scoring this well ends the search. A perfectly regular row of five
characters scores 0.9 (six to eight: 1.0), so a plain plate is settled by its first
binarisation. Measured on the 359 real crops (``bench_segmentation.py --cpu-time``, on
a busy machine): 0.85 and the former 0.92 find the same counts (84.1%), but the median
crop took 1.5 ms instead of 4.2, because 0.92 made every five-character plate try all
six binarisations."""
FRAME_EDGE = (0.2, EDGE_ZONE)  # frame lines are looked for this close to the border


@dataclass(frozen=True)
class SegmentedCharacter:
    """One character: its box in the crop, its line (0 = top) and its normalised image."""

    box: tuple[int, int, int, int]
    line: int
    image: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class Segmentation:
    """The characters found in a plate crop, in reading order, and how they were found."""

    characters: tuple[SegmentedCharacter, ...]
    binarisation: str = ""      # which binarisation won, e.g. "otsu-dark"
    polarity: str = ""          # "dark" (dark characters on a light plate) or "light"
    score: float = 0.0          # consistency of the characters found, 0..1
    lines: int = 0              # rows of characters: 1, or 2 for a two-line plate
    rejected: tuple[tuple[tuple[int, int, int, int], str], ...] = ()  # (box, why)

    def __len__(self) -> int:
        return len(self.characters)

    @property
    def boxes(self) -> np.ndarray:
        """``(n, 4)`` int boxes ``(x, y, w, h)`` in the crop, in reading order."""
        return np.array([c.box for c in self.characters], dtype=int).reshape(-1, 4)

    @property
    def images(self) -> np.ndarray:
        """``(n, size, size)`` uint8 normalised characters (white on black)."""
        if not self.characters:
            return np.zeros((0, 0, 0), np.uint8)
        return np.stack([c.image for c in self.characters])


@dataclass
class _Attempt:
    binarisation: Binarisation
    rows: list[Row]
    score: float
    verdicts: list[tuple[Blob, str]]  # every blob and why it was judged out ("" = not)
    ink: np.ndarray
    dropped: dict[Blob, str]  # row members a row rule took out, and the rule's reason

    @property
    def rejected(self) -> list[tuple[Blob, str]]:
        """The blobs not kept, and why (worked out only for the attempt that won): the
        shape judge's reason, the row rule's that took a member out, or "off the line"
        for a character-shaped blob in no row."""
        kept = {blob for row in self.rows for blob in row.blobs}
        return [(blob, why or self.dropped.get(blob, "off the line"))
                for blob, why in self.verdicts if blob not in kept and why != "tiny"]


def segment_characters(crop: np.ndarray, *, char_size: int = 32,
                       stages: dict | None = None,
                       legibility: Callable[[Segmentation], float] | None = None
                       ) -> Segmentation:
    """Find the characters of a plate crop and cut each one out for the classifier.

    Args:
        crop: the plate, upright, ``uint8`` BGR or gray, roughly tight around it.
        char_size: side of each normalised character image.
        stages: pass a dict to receive named intermediate images for teaching:
            ``gray``, ``threshold_<name>`` for every binarisation (those after the first
            one scoring :data:`GOOD_ENOUGH` are shown but, as always, not tried), ``threshold``
            (the chosen one), ``blobs`` (candidates: kept green, rejected red) and
            ``characters`` (the final boxes on the crop).
        legibility: how well a classifier reads a segmentation's characters, 0..1 (the
            segmented backend passes its CNN's mean confidence). When no binarisation
            is good enough, the one with the best score times legibility to the power
            :data:`LEGIBILITY_WEIGHT` wins: characters cut apart wrongly read badly.

    Returns:
        A :class:`Segmentation`; no characters when nothing character-like was found.
    """
    crop = np.asarray(crop)
    if crop.dtype != np.uint8 or crop.ndim not in (2, 3) or min(crop.shape[:2]) < 8:
        raise ValueError(f"need a uint8 gray or BGR crop at least 8x8, got {crop.dtype} "
                         f"{crop.shape}")
    small, scale = working_size(crop)
    gray = enhance_contrast(contrast_gray(small))
    if stages is not None:
        stages["gray"] = gray
    best: _Attempt | None = None
    tried: list[_Attempt] = []
    made = binarisations(gray)
    untried: list[Binarisation] = []  # made to be shown only (with stages)
    for binarisation in made:
        if stages is not None:
            stages[f"threshold_{binarisation.name}"] = binarisation.ink
        if best is None or best.score < GOOD_ENOUGH:  # later ones are only shown, not tried
            attempt = _attempt(binarisation, small, gray)
            tried.append(attempt)
            if best is None or attempt.score > best.score:
                best = attempt
        else:
            untried.append(binarisation)
        if best.score >= GOOD_ENOUGH and stages is None:
            break  # before the generator makes the next binarisation
    if best is not None and best.rows:
        best, tried = _polarity_with_holes(best, tried, itertools.chain(untried, made), small,
                                            gray)
    # Not good enough yet: one more try, with the best one's ink of the characters' colour
    if best is not None and best.rows and best.score < GOOD_ENOUGH and small.ndim == 3:
        recoloured = _ink_of_its_colour(best, small)
        if recoloured is not None:
            if stages is not None:
                stages[f"threshold_{recoloured.name}"] = recoloured.ink
            attempt = _attempt(recoloured, small, gray)
            tried.append(attempt)
            if attempt.score > best.score:
                best = attempt
    if best is not None and best.score < GOOD_ENOUGH and legibility is not None:
        segmentation, best = _most_legible(tried, crop, scale, char_size, legibility)
    else:
        segmentation = _cut_out(crop, best, scale, char_size)
    if stages is not None:
        _draw_stages(stages, crop, best, segmentation)
    return segmentation


HOLED_MEMBERS = 2  # members enclosing a hole that make a row of the other polarity win ...
HOLE_SCORE_SHARE = 0.45  # ... when it scores this share of the winner ...
HOLE_ROW_HEIGHT = 1.1  # ... and is at most this much taller


def _polarity_with_holes(best: _Attempt, tried: list[_Attempt], made, colour: np.ndarray,
                         gray: np.ndarray | None = None) -> tuple[_Attempt, list[_Attempt]]:
    """Prefer the polarity whose characters have holes when the winner's have (almost)
    none.

    Twelve of the 36 characters enclose a hole (``0 4 6 8 9 A B D O P Q R``), so most
    plates have one. In the wrong polarity the "characters" are the pieces of plate
    between the real ones, and such a piece encloses no hole, unless it wraps a speck
    or a whole character (then it reaches above and below the characters: it is
    taller). Bold characters on a gray plate (Brazil's old plates) ink more of the crop
    than the plate does, so the light polarity is tried first and can score well enough
    to end the search (the real characters, dense with ink, are marked down by
    :func:`_density_factor`).

    So when the best row has no member with a hole (or one, when its characters are
    light: the bold-font mistake), the binarisations of the other polarity are tried
    too, and the best of them wins if it has HOLED_MEMBERS members that enclose a hole
    (and two more than the best), scores HOLE_SCORE_SHARE of the best and its row is at
    most HOLE_ROW_HEIGHT times as tall. Only the winning polarity's attempts stay
    ``tried``, for the legibility choice. Dark characters with one hole are left alone:
    a fifth of the real crops would try the other polarity for nothing (their median
    1.6 -> 2.6 ms of CPU, measured with a one-off change).

    Measured (``bench_segmentation.py --synthetic 1000 --augment none|light|default``):
    seed 7 95.4 / 90.1 / 72.0% -> 95.6 / 90.7 / 72.0% with no hole at a share of 0.65,
    and with one for light characters at 0.45, 96.0 / 92.3 / 73.4% (after
    :func:`_without_frame_sides`, which alone gives 95.7 / 92.0 / 73.0%); seed 11 95.1
    / 89.5 / 71.5% -> 95.2 / 89.7 / 71.9%, then 95.9 / 90.6 / 73.8% -> 96.1 / 91.0 /
    74.3%. The real crops' count (92.2%), the segmented backend's held-out crops (90.3%)
    and the ``endtoend`` photos unchanged; 5% of the real crops try the other polarity,
    none changes; the median real crop costs 1.42 -> 1.56 ms (``--cpu-time``). Without
    the height test a Rhode Island ``MX117`` (no hole) lost its count to the plate's
    pieces wrapped around its characters."""
    allowed = 1 if best.binarisation.polarity == "light" else 0
    own = _holed_members(best, enough=allowed + 1)
    if own > allowed or best.score <= 0:
        return best, tried
    other = [a for a in tried if a.binarisation.polarity != best.binarisation.polarity]
    for binarisation in made:  # the ones the search had not made yet
        attempt = _attempt(binarisation, colour, gray)
        tried.append(attempt)
        if binarisation.polarity != best.binarisation.polarity:
            other.append(attempt)
    height = max(row.height for row in best.rows)
    need = max(HOLED_MEMBERS, own + 2)
    holed = [a for a in other if a.rows and a.score >= HOLE_SCORE_SHARE * best.score
             and max(row.height for row in a.rows) <= HOLE_ROW_HEIGHT * height
             and _holed_members(a, enough=need) >= need]
    if not holed:
        return best, tried
    chosen = max(holed, key=lambda a: a.score)
    polarity = chosen.binarisation.polarity
    return chosen, [a for a in tried if a.binarisation.polarity == polarity]


def _holed_members(attempt: _Attempt, enough: int) -> int:
    """How many of an attempt's characters enclose a hole (a blob of background inside
    their box that touches none of its sides), counted up to ``enough``."""
    count = 0
    for blob in (b for row in attempt.rows for b in row.blobs):
        patch = attempt.ink[blob.y:blob.bottom, blob.x:blob.right]
        background = cv2.bitwise_not(patch)
        n, _, stats, _ = cv2.connectedComponentsWithStats(background, connectivity=4)
        h, w = patch.shape
        for x, y, bw, bh, area in stats[1:].tolist():
            if x > 0 and y > 0 and x + bw < w and y + bh < h and area >= 2:
                count += 1
                break
        if count >= enough:
            break
    return count


LEGIBILITY_WEIGHT = 4.0
"""How much a classifier's legibility counts beside the consistency score when no
binarisation is good enough. With the character CNN: held-out real crops read exactly
78.7% -> 81.9% (``benchmarks/bench_segmented.py``), ``endtoend/us`` photos 50.9% -> 53.6%
(``platechar compare .../endtoend/us``). Weights 1 and 2 gained less and 8 the same as
4 when compared on the readings of those crops (a one-off script, not in the repo)."""


def _most_legible(tried: list[_Attempt], crop: np.ndarray, scale: float, char_size: int,
                  legibility: Callable[[Segmentation], float]) -> tuple[Segmentation, _Attempt]:
    """The attempt whose score times legibility**LEGIBILITY_WEIGHT is highest, cut out."""
    best_value, best = -1.0, (Segmentation(()), tried[0])
    for attempt in tried:
        if not attempt.rows:
            continue
        segmentation = _cut_out(crop, attempt, scale, char_size)
        value = attempt.score * float(legibility(segmentation)) ** LEGIBILITY_WEIGHT
        if value > best_value:
            best_value, best = value, (segmentation, attempt)
    return best


INK_COLOUR_SHARE = 0.4
"""The colour pass keeps a pixel of ink when its colour is nearer the characters' ink
colour than this share of the distance between their ink colour and their plate's."""
MIN_COLOUR_CONTRAST = 30.0  # BGR distance: less, and colour cannot tell ink from plate


def _ink_of_its_colour(attempt: _Attempt, colour: np.ndarray) -> Binarisation | None:
    """The attempt's ink, kept only where it has the colour of the characters found.

    A gray threshold takes everything dark (or light) as ink, so characters touching a
    picture on the plate (Florida's orange, Mount Rushmore, a cactus) are one blob with
    it and fail as characters. The characters found elsewhere on the plate tell their
    ink's colour and their plate's; pixels much nearer the one than the other are theirs.
    ``None`` when the ink and plate colours are too alike for colour to tell them apart.
    """
    ink = attempt.ink
    inked, plate = [], []
    for b in (b for row in attempt.rows for b in row.blobs):
        patch, mask = colour[b.y:b.bottom, b.x:b.right, :3], ink[b.y:b.bottom, b.x:b.right]
        inked.append(cv2.mean(patch, mask=mask)[:3])
        plate.append(cv2.mean(patch, mask=cv2.bitwise_not(mask))[:3])
    ink_colour = np.array([statistics.median(c) for c in zip(*inked, strict=True)], np.float32)
    plate_colour = [statistics.median(c) for c in zip(*plate, strict=True)]
    contrast = math.dist(ink_colour.tolist(), plate_colour)
    if contrast < MIN_COLOUR_CONTRAST:
        return None
    offset = colour[..., :3].astype(np.float32) - ink_colour
    near = np.sum(offset * offset, axis=2) < (INK_COLOUR_SHARE * contrast) ** 2
    polarity = attempt.binarisation.polarity
    return Binarisation(f"colour-{polarity}", polarity,
                        cv2.bitwise_and(attempt.binarisation.ink, near.astype(np.uint8) * 255))


def _attempt(binarisation: Binarisation, colour: np.ndarray,
             gray: np.ndarray | None = None) -> _Attempt:
    """Find the plate's character rows in one binarisation, and score them (``colour``
    and ``gray``: the working-size crop that was binarised; ``gray`` is made from
    ``colour`` when not given)."""
    ink = remove_frame(binarisation.ink, edge=FRAME_EDGE)
    height = ink.shape[0]
    blobs = blobs_of(ink)
    verdicts = [(blob, judge(blob, ink.shape)) for blob in blobs]
    candidates = [blob for blob, why in verdicts if not why]
    rows = plate_rows([measure_row(group) for group in link_rows(candidates)], height)
    if gray is None:
        gray = enhance_contrast(contrast_gray(colour))
    inkiness = _inkiness(gray, binarisation.polarity)
    dropped: dict[Blob, str] = {}
    rows = [_row_rules_applied(_repair(row, blobs, ink, inkiness), ink, colour, dropped)
            for row in rows]
    rows = [row for row in rows if row.count]
    if len(rows) == 2:
        rows = _short_rows_split(rows, ink, inkiness)
    if not rows:
        score = 0.0
    elif len(rows) == 1:
        score = row_score(rows[0], height) * _ink_factors(rows[0], ink, binarisation.ink)
    else:  # two lines share the crop's height: judge each one's shape against half of
        # it, and the count of both together (a top line of 2-3 is common)
        score = min(shape_score(row, height // 2) * _ink_factors(row, ink, binarisation.ink)
                    for row in rows)
        score *= count_score(sum(row.count for row in rows))
    return _Attempt(binarisation, rows, score, verdicts, ink, dropped)


def _row_rules_applied(row: Row, ink: np.ndarray, colour: np.ndarray,
                       dropped: dict[Blob, str]) -> Row:
    """A repaired row after the rules that take members out of it, in order, each
    member taken out recorded in ``dropped`` with the rule's reason (the keys of
    ``platechar.teaching.notes.REJECT_REASONS``)."""
    rules = (("colour", lambda r: _odd_colours_removed(r, ink, colour)),
             ("picture", _pictures_removed), ("emblem", _end_emblems_removed),
             ("off the line", _off_line_removed), ("apart", _outliers_removed))
    for reason, rule in rules:
        kept = rule(row)
        if kept.count != row.count:
            dropped.update((blob, reason) for blob in set(row.blobs) - set(kept.blobs))
        row = kept
    return row


def _ink_factors(row: Row, ink: np.ndarray, whole_ink: np.ndarray) -> float:
    """How much a row's ink looks like characters on a plate: its density and its
    margins (``ink`` with the frame removed, ``whole_ink`` as binarised)."""
    return _density_factor(row, ink) * _margin_factor(row, whole_ink)


MARGIN_REACH = 0.1  # of the row's height: the margins looked at above and below it
MARGIN_SHARE = (0.45, 0.75)
"""Ink share of those margins: up to the first, the row stands on background; from the
second on, its score is cut to a fifth. On 1,000 synthetic crops (light augmentation)
the share was 0-0.25 in rows found exactly and 0.28-0.84 in rows of at least 4 members
that find no true character, the wrong polarity as a rule (5th-95th percentile;
``bench_segmentation.py --augment light --diagnose`` prints them)."""


def _margin_factor(row: Row, ink: np.ndarray) -> float:
    """Characters stand on the plate: just above and below them is background. In the
    wrong polarity the "characters" are the background's pieces between the real
    characters, and the background goes on above and below them (only the frame
    remover cut them apart there): that row is marked down.

    ``ink`` is the binarisation as made, before the frame was removed. The wrong
    polarity tends to win on bold characters that ink more of the crop than its
    background does. Measured (``bench_segmentation.py``; ``MARGIN_SHARE = (2, 3)``
    turns the rule off): synthetic crops, light augmentation, 86.5% -> 88.4% exact; the
    359 real crops' count 86.9% -> 87.7%; the segmented backend's held-out crops 81.9%
    -> 82.6% (``bench_segmented.py``)."""
    lo, hi = MARGIN_SHARE
    return float(np.clip((hi - _margin_share(row, ink)) / (hi - lo), 0.2, 1.0))


def _margin_share(row: Row, ink: np.ndarray) -> float:
    """The share of ink in the margins MARGIN_REACH row heights above and below a row
    (0 when the row touches the crop's top and bottom)."""
    reach = MARGIN_REACH * row.height
    top, bottom = int(row.top), int(np.ceil(row.bottom))
    above = ink[max(0, int(top - reach)):max(0, top), row.left:row.right]
    below = ink[bottom:int(bottom + reach), row.left:row.right]
    size = above.size + below.size
    if size == 0:
        return 0.0
    return (np.count_nonzero(above) + np.count_nonzero(below)) / size


def _density_factor(row: Row, ink: np.ndarray) -> float:
    """Characters are strokes on a background: they ink about a third of their row's
    box. A row inked much more densely is background taken for ink (the wrong polarity),
    cut into pieces; it is marked down."""
    top, bottom = int(row.top), int(np.ceil(row.bottom))
    box = ink[max(0, top):bottom, row.left:row.right]
    density = float(np.count_nonzero(box)) / max(1, box.size)
    return float(np.clip((0.8 - density) / 0.25, 0.2, 1.0))


SINGLE_ASPECTS = (0.3, 0.9)  # width / height of one character that is not 1, I, M or W
SPLIT_WIDTH = 1.9  # a blob this many character widths wide holds touching characters
# (1.5 finds 0.4 points more synthetic crops exactly but reads 2 fewer endtoend/us photos)


def _char_width(row: Row) -> float:
    """The width of one character in this row: the median width of its blobs shaped
    like one ordinary character (not a narrow 1 or I, not two joined ones); from the
    row's height when fewer than two are."""
    lo, hi = SINGLE_ASPECTS
    single = [b.w for b in row.blobs if lo <= b.aspect <= hi]
    width = statistics.median(single) if len(single) >= 2 else 0.55 * row.height
    return float(np.clip(width, 0.4 * row.height, 0.8 * row.height))


def _repair(row: Row, blobs: list[Blob], ink: np.ndarray,
            inkiness: np.ndarray | None = None) -> Row:
    """Split touching characters, free characters joined to something taller, merge
    broken ones, keep what fits the line, and split again the members still wider than
    the width measured on them (:func:`_split_by_measured_width`). ``inkiness``: how
    inky each pixel is (:func:`_inkiness`), for :func:`_split_by_a_stricter_threshold`;
    without it, the ink.

    A blob too wide for one character that no column empty enough cuts (three bold
    characters joined through blended gaps, Indiana's ``280``) is tried with a stricter
    threshold too, when it is at most STRICTER_REACH characters wide (wider, it is a
    whole row joined to a line of scenery, which the band below frees better).
    Measured (``bench_segmentation.py --synthetic 1000 --seed 7|11|12|13 --augment
    none``): misses 8 / 13 / 7 / 12 -> 6 / 12 / 7 / 11; the real crops' count and the
    held-out crops unchanged. Without the reach, Idaho's ``L89 0FQ`` on a band of
    scenery was cut in the wrong places (seed 13: 12 misses)."""
    narrow = [b for b in row.blobs if b.aspect <= MAX_ASPECT]
    pitch = _char_width(row)
    # Split wide blobs only beside a real character (or when the row is one blob): a
    # row of wide blobs only is more likely bands or a frame. One character is enough:
    # a two-line plate's short line (``S4`` touching, then ``7``) has no more. Measured
    # (bench_segmentation.py --synthetic 1000 --seed 7..13 --augment none): 54 -> 51
    # misses of 7,000; the real crops' count 92.5% -> 92.8% (two crops gained, Nevada's
    # 259PWK lost); the held-out crops 91.0%, CER 0.023 -> 0.020. Two were required before.
    may_split = len(narrow) >= 1 or len(row.blobs) == 1
    wide = [b for b in row.blobs
            if may_split and (b.aspect > MAX_ASPECT or b.w > SPLIT_WIDTH * pitch)]
    # A member much taller than the row is a character joined to something above or
    # below it (a sticker, the state's name): left out here, so that cutting the ink
    # to the row's band below can free it (real crops' count 87.5% -> 87.7%).
    members = [b for b in row.blobs if b not in wide and b.h <= 1.3 * row.height]
    # A wide blob's box can reach over characters that are blobs of their own (scenery
    # joined to one character and running under its neighbours): its pieces that stand
    # where such a character is are not characters.
    whole = [(b.x, b.right) for b in members]
    for blob in wide:
        parts = split_touching(blob, ink, pitch)
        if len(parts) < 2 and inkiness is not None and blob.w <= STRICTER_REACH * pitch:
            parts = _split_by_a_stricter_threshold(blob, row, ink, inkiness, pitch)
        members += [p for p in parts if not _overlaps(p, whole)]
    members += _clipped_to_band(row, members, blobs, ink, pitch)
    top, bottom = row.top - 0.2 * row.height, row.bottom + 0.2 * row.height
    taken = [(b.x, b.right) for b in members]
    loose = [b for b in blobs if b.y >= top and b.bottom <= bottom and b.h < 0.8 * row.height
             and not _overlaps(b, taken)]
    members += merge_pieces(loose, top, bottom, row.height)
    members = [b for b in members if 0.7 * row.height <= b.h <= 1.3 * row.height
               and b.aspect <= MAX_ASPECT * 1.15]
    if not members:
        return Row((), 0.0, row.height, 0.0, 0.0)
    return _split_by_measured_width(measure_row(members), ink, inkiness)


RESPLIT_WIDTH = 1.6  # a member this many measured character widths wide is split ...
RESPLIT_MIN_PART = 0.7  # ... when each part is at least this many widths wide


def _split_by_measured_width(row: Row, ink: np.ndarray, inkiness: np.ndarray | None = None,
                             width: float | None = None) -> Row:
    """Split the members still holding two touching characters, by the width measured
    on the members themselves.

    The width that :func:`_repair` splits by is measured before anything is split: on a
    row that was one blob, or mostly pairs, it is a guess from the row's height, too wide
    for a condensed font (Idaho's ``BLOGGER``: ``BL`` and ``ER`` stayed pairs, 1.87
    widths wide). Once the row's members are known, their own width tells better. A part
    narrower than RESPLIT_MIN_PART widths means the cut went through one wide letter
    (a ``U`` or ``H`` has a near-empty middle column too): that member stays whole.

    Measured (``bench_segmentation.py``): the 359 real crops' count 91.1% -> 92.2% (no
    crop lost); synthetic light 88.7% -> 89.2%, default 67.0% -> 67.7%; the segmented
    backend's held-out crops 84.5% -> 86.5% (``bench_segmented.py``); ``endtoend``
    photos unchanged. Without the part test a blurred ``U`` of ``endtoend/us`` was
    split (us 61.8% -> 60.9%); at 1.8 widths the real count is 91.9%.

    A member that no cut by ink frees, and any member wider than BAR_PAIR_WIDTH widths,
    is tried with a stricter threshold (:func:`_split_by_a_stricter_threshold`). With
    ``width`` given (the other line's, for a two-line plate's short line), a row of any
    count is split by it."""
    if width is None:
        if row.count < 3:
            return row
        width = _char_width(row)
    inkiness = ink if inkiness is None else inkiness
    members, split = [], False
    for blob in row.blobs:
        parts: list[Blob] = []
        if blob.w > RESPLIT_WIDTH * width:
            parts = [p for p in split_touching(blob, ink, width)
                     if 0.7 * row.height <= p.h <= 1.3 * row.height]
            if len(parts) < 2 and blob.w >= STEM_PAIR_WIDTH * width \
                    and abs(blob.h - row.height) <= 0.15 * row.height:
                parts = _split_at_a_shared_stem(blob, row, ink, width)
            if len(parts) < 2 or min(p.w for p in parts) < RESPLIT_MIN_PART * width:
                parts = []
        if not parts and blob.w > BAR_PAIR_WIDTH * width:
            parts = _split_by_a_stricter_threshold(blob, row, ink, inkiness, width)
            others = [(b.x, b.right) for b in row.blobs if b is not blob]
            tallest = max((p.h for p in parts), default=0)
            bars = [_an_upright_bar(p, ink) and p.h >= BAR_HEIGHT * max(tallest, row.height)
                    and not _overlaps(p, others) for p in parts]
            if not ((any(bars) or blob.w > STRICTER_WIDTH * width) and all(
                    bar or p.w >= STRICTER_MIN_PART * width
                    for p, bar in zip(parts, bars, strict=True))):
                parts = []
        if len(parts) >= 2:
            members += parts
            split = True
        else:
            members.append(blob)
    return measure_row(members) if split else row


def _inkiness(gray: np.ndarray, polarity: str) -> np.ndarray:
    """How inky each pixel is, 0..255, whatever the polarity (the gray inverted for dark
    characters): the stricter the threshold on it, the more only strokes' cores stay."""
    return cv2.bitwise_not(gray) if polarity == "dark" else gray


STRICTER_REACH = 4.5  # widths: a wider blob is a row joined to a line, not a few characters
STRICTER_SHARE = 0.7  # of a member's ink: the inkiest pixels kept to see its strokes apart
STRICTER_WIDTH = 1.4  # from this many widths a member is cut without a bar among its parts,
STRICTER_MIN_PART = 0.5  # ... when each part that is not a bar is this many widths wide


BAR_PAIR_WIDTH = 1.0
"""A member wider than one measured character width is tried with a stricter
threshold (:func:`_split_by_a_stricter_threshold`); under STRICTER_WIDTH widths it is
cut only when a part is an upright bar in a column of its own (:func:`_an_upright_bar`):
a bold ``I`` touching a ``7`` or a ``3`` is 1.1-1.2 widths wide, as an ``M`` is, whose
halves are not bars. Measured (``bench_segmentation.py --synthetic 1000 --seed 7|11
--augment none``): 98.9% -> 99.2% and 98.4% -> 98.5%; the real crops' count (92.5%)
unchanged. A bar taken from within a neighbour's columns is a piece of it (Idaho's
outlined ``0`` beside an ``H``: real count 92.2% without that test), and a bar shorter
than the part beside it is a ``U``'s stem cut off where its curve is pale
(``endtoend/us`` ``wts-lg-000152`` read ``6UJNP953`` without that test)."""
BAR_ASPECT = 0.3  # width / height under which a part may be a bar ...
BAR_HEIGHT = 0.92  # ... as tall as this share of the row and of its neighbour (not a U's stem)
BAR_FILL = 0.8  # ... and the ink share of its box over which it is one


def _an_upright_bar(blob: Blob, ink: np.ndarray) -> bool:
    """Whether a blob is a plain upright bar (an ``I``, or a ``1`` without a flag):
    narrow, and its box almost all ink."""
    return blob.aspect < BAR_ASPECT and \
        np.count_nonzero(ink[blob.y:blob.bottom, blob.x:blob.right]) >= BAR_FILL * blob.w * blob.h


def _split_by_a_stricter_threshold(blob: Blob, row: Row, ink: np.ndarray,
                                   inkiness: np.ndarray, width: float) -> list[Blob]:
    """Cut a member where a stricter threshold sees its characters apart.

    Two bold characters a pixel apart in the crop touch once it is shrunk to the working
    size: the pixel between them is a blend of both and the plate, inked by the
    threshold but paler than their strokes, and the bridge it makes is too thick for a
    cut by ink alone (:func:`segmentation.characters.split_touching`). Keeping only the
    member's inkiest STRICTER_SHARE of pixels (a threshold set for this member alone)
    leaves the strokes' cores. When they fall into two or more pieces, each about as
    tall as the row and side by side, the member is cut at the emptiest column between
    each pair of them, and each part must be no wider than RESPLIT_WIDTH characters (a
    character freed from a picture leaves the picture, which is not one). A ``W`` whose
    middle vertex is pale falls apart too; a cut through a vertex
    (:func:`segmentation.characters.at_a_vertex`) keeps the member whole.

    Measured (``bench_segmentation.py --synthetic 1000 [--seed 11] --augment
    none|light|default``, with :func:`segmentation.characters.at_a_vertex` and the thin
    members of :func:`_odd_colours_removed`, which came with it): seed 7 97.5 / 94.6 /
    76.2% -> 98.9 / 95.8 / 78.4%, seed 11 97.3 / 95.3 / 77.4% -> 98.4 / 96.2 / 78.9%;
    the real crops' count (92.5%) and the segmented backend's held-out crops (91.0%)
    unchanged. Variants (one-off, before the vertex test): the inkiest 50% and 35% as
    further tries cut the W and M of thin fonts in two (clean crops 96.2%, against
    98.1% with 70% alone); trying members from 1.15 widths (an ``I`` joined to a ``7``
    is 1.2) cut Ms and Ws in two as well (97.7%)."""
    box = (slice(blob.y, blob.bottom), slice(blob.x, blob.right))
    mask = ink[box] > 0
    values = inkiness[box][mask]
    if values.size == 0:
        return [blob]
    level = np.quantile(values, 1 - STRICTER_SHARE)
    core = ((inkiness[box] >= level) & mask).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=4)
    tall = sorted((s for s in stats[1:].tolist() if s[3] >= 0.7 * row.height),
                  key=lambda s: s[0])
    if len(tall) < 2:
        return [blob]
    column_ink = mask.sum(axis=0)
    cuts = [0]
    for left, right in zip(tall[:-1], tall[1:], strict=True):
        lo, hi = left[0] + left[2], right[0]  # the columns between two cores
        if hi <= lo or lo <= cuts[-1]:
            return [blob]  # the cores overlap: not side by side
        cut = lo + int(np.argmin(column_ink[lo:hi + 1]))
        if at_a_vertex(mask, cut):
            return [blob]  # the two halves of a W, not two characters
        cuts.append(cut)
    parts = parts_between(blob, ink, cuts + [blob.w])
    if len(parts) == len(tall) and all(0.7 * row.height <= p.h <= 1.3 * row.height
                                        and p.w <= RESPLIT_WIDTH * width for p in parts):
        return parts
    return [blob]


def _short_rows_split(rows: list[Row], ink: np.ndarray, inkiness: np.ndarray) -> list[Row]:
    """The rows of a two-line plate, a short row's touching characters split by the
    character width measured on the other row (scaled by their heights).

    A line of two or three characters (``P03`` over ``590I``) is too short to measure
    its own character width when two of them touch, so :func:`_split_by_measured_width`
    leaves it alone; the other line, in the same font, tells the width. Measured
    (``bench_segmentation.py --synthetic 1000 --seed 11 --augment none``): 98.5% ->
    98.7% with the bar rule applied to wide members too (:data:`BAR_PAIR_WIDTH`);
    seed 7 (99.2%), the real crops' count and the held-out crops unchanged. Letting a
    second line that is one wide blob be a plate's line (``plate_rows``) as well took a
    Mississippi motorcycle plate's sticker for a second line (real count 92.2%)."""
    out = []
    for row, other in ((rows[0], rows[1]), (rows[1], rows[0])):
        if row.count < 3 and other.count >= 2:
            row = _split_by_measured_width(
                row, ink, inkiness, _char_width(other) * row.height / other.height)
        out.append(row)
    return out


STEM_PAIR_WIDTH = 1.8  # a member this many measured widths wide, of the row's height ...
SHARED_STEM = 0.6  # ... whose cut column is this much ink (of its height) is two characters


def _split_at_a_shared_stem(blob: Blob, row: Row, ink: np.ndarray, width: float
                            ) -> list[Blob]:
    """Two characters whose upright strokes touch (``M`` and ``H``, ``I`` and ``M``, ``N``
    and ``P``) share a stem: no column between them is nearly empty, so a cut at the
    emptiest column is refused. A member STEM_PAIR_WIDTH measured widths wide is cut in
    two anyway when the column where it would be cut is SHARED_STEM of its height in
    ink: a stem, not the apex of a wide letter (a ``W``'s middle, met at its top only,
    is not), and each part as tall as the row. Otherwise the member stays whole.

    Measured (``bench_segmentation.py``, ``--synthetic 1000 --augment
    none|light|default``): seed 7 96.0 / 92.3 / 73.4% -> 96.3 / 92.4 / 73.4%, seed 11
    96.1 / 91.0 / 74.3% -> 96.2 / 91.0 / 74.4%; the real crops' count 92.2% -> 92.5%
    (California's ``IMJSAYN``), and with it the segmented backend's held-out crops
    90.3% -> 91.0%; the ``endtoend`` photos unchanged (the crops the backend reads in
    them, counted right: 184 -> 183 of 210). The cut is made in the middle of the
    emptiest columns (a shared stem's are all alike; the first of them left a part too
    narrow to keep: clean crops 96.1%). Without the stem test (a one-off change), from
    1.8 widths, ``W``s were cut in two (measured before :func:`_polarity_with_holes` and
    :func:`_without_frame_sides`: clean crops 95.4% -> 94.9%)."""
    forced = [p for p in split_touching(blob, ink, width, max_bridge=1.0, centre_ties=True)
              if 0.7 * row.height <= p.h <= 1.3 * row.height]
    if len(forced) != 2:
        return [blob]
    cut = forced[1].x  # the two columns either side of the cut
    columns = ink[blob.y:blob.bottom, max(blob.x, cut - 1):cut + 1]
    stem = np.count_nonzero(columns) / max(1, columns.shape[1])
    return forced if stem >= SHARED_STEM * blob.h else [blob]


COLOUR_OUTLIER = 50.0  # BGR distance from the row's typical ink colour: an emblem
COLOUR_SPREAD = 3.0  # ... and this many times the members' median distance (shade varies)
THIN_STROKE = 0.2  # width / height: an inner member this thin is a 1 or an I, not an emblem


def _odd_colours_removed(row: Row, ink: np.ndarray, colour: np.ndarray) -> Row:
    """A plate's characters share one ink colour; an emblem of their size between them
    (an orange, a flag, a state seal) does not. Members whose ink colour is far from
    the row's median are dropped (only in rows long enough for a median to mean much):
    further than COLOUR_OUTLIER, and than COLOUR_SPREAD times the members' median
    distance (under a shadow or glare the characters' own colours spread more).

    An emblem in the gap between a plate's two groups of characters (Florida's orange,
    New Mexico's sun, Oregon's tree, a sticker) is often also shaped unlike them: taller,
    wider, or off their line. Such a member goes from MISFIT_COLOUR already. Not at
    either end of the row, where a character joined to a slogan or the frame looks the
    same (measured on the 359 real crops: 6 emblems go, 1 character joined to the
    state's name in script goes with them).

    A picture's part in the characters' own colour (the green leaves on Florida's
    orange) passes that test, but it does not stand on the plate: the rest of its box is
    the picture's colour, not the plate's. A misfit member whose box's background is
    MISFIT_BACKGROUND from the others' goes too (``bench_segmentation.py``: real crops'
    count 87.7% -> 88.3%, synthetic unchanged; 100 levels cost a default-augmentation
    crop, and 100 without the misfit condition synthetic light 88.4% -> 86.3%).

    A thin inner member (narrower than THIN_STROKE of its height) standing in a column
    of its own is a ``1`` or an ``I``, never an emblem: it stays whatever its colour.
    Its ink is mostly its edges, which blend its colour with the plate's, so it looked
    like an emblem to the colour test (2 of the 25 synthetic crops missed, seed 7). A thin
    member overlapping another is a piece of a picture (the sides of New Jersey's
    firefighter cross) and is judged as before."""
    if row.count < 4 or colour.ndim != 3:
        return row
    means, grounds = [], []
    for b in row.blobs:
        patch, mask = colour[b.y:b.bottom, b.x:b.right, :3], ink[b.y:b.bottom, b.x:b.right]
        means.append(cv2.mean(patch, mask=mask)[:3])
        grounds.append(cv2.mean(patch, mask=cv2.bitwise_not(mask))[:3])
    typical = [statistics.median(channel) for channel in zip(*means, strict=True)]
    distance = [math.dist(m, typical) for m in means]
    typical_ground = [statistics.median(channel) for channel in zip(*grounds, strict=True)]
    ground_distance = [math.dist(g, typical_ground) for g in grounds]
    spread = COLOUR_SPREAD * statistics.median(distance)
    limit = max(COLOUR_OUTLIER, spread)
    misfit_limit = max(MISFIT_COLOUR, spread)
    width = _char_width(row)
    last = row.count - 1
    spans = [(b.x, b.right) for b in row.blobs]
    keep = [b.aspect < THIN_STROKE and 0 < i < last
            and not _overlaps(b, spans[:i] + spans[i + 1:])
            or d <= limit and ((d <= misfit_limit and g <= MISFIT_BACKGROUND)
                               or i in (0, last) or not _misfit(b, row, width))
            for i, (b, d, g) in enumerate(zip(row.blobs, distance, ground_distance,
                                              strict=True))]
    return _kept(row, keep)


def _kept(row: Row, keep: list[bool]) -> Row:
    """The row of the members marked to keep; the row as it was when all are kept, or
    when fewer than three would be (then the rule, not the row, is likely wrong)."""
    if all(keep) or sum(keep) < 3:
        return row
    return measure_row([b for b, k in zip(row.blobs, keep, strict=True) if k])


PICTURE_WIDTH = 1.8  # times the width of one character ...
PICTURE_HEIGHT = 1.1  # ... and times the row's height: a picture among the characters


def _pictures_removed(row: Row) -> Row:
    """A picture drawn in the characters' own ink between them (Wyoming's bucking
    horse and rider) passes the colour tests. It is wider than almost two characters
    and taller than they are; a wide character (W, M) is as tall as the others, and two
    touching characters are too. Such a member goes, except at either end of the row.

    Measured (``bench_segmentation.py``): the 359 real crops' count 90.0% -> 91.1% (four
    Wyoming plates, no crop lost); synthetic crops unchanged. Without the height test
    (widths from 1.4 to 1.8 characters) wide W's went: synthetic light -0.2 to -3 points."""
    if row.count < 4:
        return row
    width, last = _char_width(row), row.count - 1
    keep = [i in (0, last) or b.w <= PICTURE_WIDTH * width or b.h <= PICTURE_HEIGHT * row.height
            for i, b in enumerate(row.blobs)]
    return _kept(row, keep)


EMBLEM_HEIGHT = 1.1  # times the other members' median height: an end member this tall ...
EMBLEM_WIDTH = 1.2  # ... this many times their median width ...
EMBLEM_FILL = 1.15  # ... and this many times fuller than the fullest other is an emblem


def _end_emblems_removed(row: Row) -> Row:
    """An emblem at either end of the row in the characters' ink (Alaska's dark "50"
    square) is taller than the characters and fuller: a block of ink with a picture cut
    into it, where a character is strokes. The first or last member goes when it is
    EMBLEM_HEIGHT times the others' median height, EMBLEM_WIDTH times their median
    width and EMBLEM_FILL times as full (ink share of its box) as the fullest of them.

    Measured (``bench_segmented.py``, ``bench_segmentation.py [--endtoend]``, ``platechar
    compare .../endtoend/R``): the held-out real crops read by the segmented backend
    91.0% -> 91.6% (Alaska's ``FGJ235``, read ``5FGJ235``); the 359 real crops' count
    unchanged at 92.8% (the train part's Alaska plate gained; Virginia's ``1333LE`` lost,
    whose count was right only because its portrait stood in for ``33`` cut as one);
    the ``endtoend`` counts and readings unchanged. Synthetic crops, 1,000 each: seeds 7
    to 13 unaugmented and 7 and 11 ``light`` unchanged; seed 12 ``light`` and seed 7
    default one fewer each (an end character joined to the frame or a shadow looks the
    same: 78.6% -> 78.5%); seed 11 default one lost and one gained (79.8%). Without the
    width test, two-line plates whose last character touches a bolt went too (seed 7
    unaugmented and 11 ``light`` one fewer each)."""
    if row.count < 4:
        return row
    keep = [True] * row.count
    for end in (0, row.count - 1):
        others = [b for i, b in enumerate(row.blobs) if i != end]
        blob = row.blobs[end]
        if (blob.h > EMBLEM_HEIGHT * statistics.median(b.h for b in others)
                and blob.w > EMBLEM_WIDTH * statistics.median(b.w for b in others)
                and blob.fill > EMBLEM_FILL * max(b.fill for b in others)):
            keep[end] = False
    return _kept(row, keep)


MISFIT_COLOUR = 30.0  # ... or this far, for a member between others whose box is off the row's
MISFIT_BACKGROUND = 120.0  # ... or its box's background this far from the others' (BGR)
MISFIT_HEIGHT = 0.15  # of the row's height: how far a member's height, top or bottom may stray
MISFIT_WIDTH = 1.4  # times the width of one character: wider is off the row


def _misfit(blob: Blob, row: Row, width: float) -> bool:
    """Whether a member's box is off the row's: taller or shorter than the characters,
    wider than one, or standing above or below their line."""
    stray = MISFIT_HEIGHT * row.height
    return (abs(blob.h - row.height) > stray or blob.w > MISFIT_WIDTH * width
            or abs(blob.y - row.top) > stray or abs(blob.bottom - row.bottom) > stray)


OFF_LINE = 0.12  # of the row's height: how far an inner member's centre may stand off the line


def _off_line_removed(row: Row) -> Row:
    """A plate's characters stand on one line; a separator between its groups (a dot,
    a dash, a small emblem or a state's shape) is often of the characters' ink and
    joins the row once its pieces are merged, but its centre stands above or below
    theirs. An inner member whose centre is OFF_LINE of the row's height from the line
    through the others' centres goes (the ends are left to the rules for ends), unless
    it covers the line from top to bottom: a character joined to a picture above or
    below it (North Carolina's plane, Louisiana's pelican) is off the line too.

    Measured (``bench_segmentation.py [--endtoend]``, the latter with the crops of
    then): the count of the crops the segmented backend reads in the ``endtoend``
    photos 179 -> 181 of 210; the 359 real crops' count 92.2% -> 92.5%; synthetic crops
    unchanged. Without the covering test the real crops' count fell to 91.6% (the plane
    and the pelican)."""
    if row.count < 4:
        return row
    centres = [b.cy - row.slope * b.cx for b in row.blobs]
    reach = OFF_LINE * row.height
    keep = [True]
    for i in range(1, row.count - 1):
        b = row.blobs[i]
        line = statistics.median(centres[:i] + centres[i + 1:])
        spans = b.y <= row.top + reach and b.bottom >= row.bottom - reach
        keep.append(spans or abs(centres[i] - line) <= reach)
    return _kept(row, keep + [True])


END_PITCH = 2.0  # an end member this many typical pitches from its neighbour stands apart
GROUP_GAP = 1.2  # ... when its gap (edge to edge) is also this much wider than every other


def _outliers_removed(row: Row) -> Row:
    """A plate's characters are evenly spaced; a symbol at either end (a wheelchair,
    a state's emblem, a sticker's digits) usually stands further off. The first or
    last member is dropped when its centre is END_PITCH times the row's median pitch
    (centre to centre, so that a narrow 1 is not taken for one standing apart) from
    its neighbour's, and GROUP_GAP times further than any other gap of the row.

    The second test keeps the characters of plates written in groups: a lone first
    or last letter (``G NA 935``, ``L 0955 B``) stands as far off as the plate's other
    group gap, or as the other end. Measured (``bench_segmentation.py``; ``GROUP_GAP = 0``
    is the rule without the second test): synthetic crops, light augmentation, 86.4% ->
    88.4% exact; the 359 real crops' count is unchanged (87.7%).

    The groups are compared by their gaps, edge to edge, not by their pitches: when the
    other lone end is a narrow ``I`` (``D 6046 I``, ``B DI 728``), its centre stands nearer
    its neighbour's though its gap is as wide, and a pitch made the first letter look
    apart. Measured (``bench_segmentation.py --synthetic 1000 [--seed 11] --augment
    none|light|default``): seed 7 95.2 / 90.1 / 71.6% -> 95.4 / 90.1 / 72.0%, seed 11
    95.0 / 89.5 / 71.5% -> 95.1 / 89.5 / 71.5%; the real crops' count (92.2%), the
    segmented backend's held-out crops (90.3%) and the ``endtoend`` photos unchanged."""
    if row.count < 5:
        return row
    blobs = list(row.blobs)
    pairs = list(zip(blobs[:-1], blobs[1:], strict=True))
    pitches = [b.cx - a.cx for a, b in pairs]
    gaps = [b.x - a.right for a, b in pairs]
    typical = max(1.0, statistics.median(pitches))
    keep = blobs
    if pitches[0] > END_PITCH * typical and gaps[0] > GROUP_GAP * max(gaps[1:]):
        keep = keep[1:]
    if pitches[-1] > END_PITCH * typical and gaps[-1] > GROUP_GAP * max(gaps[:-1]):
        keep = keep[:-1]
    return row if len(keep) == len(blobs) else measure_row(keep)


def _overlaps(blob: Blob, taken: list[tuple[int, int]], share: float = 0.3) -> bool:
    """Whether ``blob`` shares more than ``share`` of its width with a taken span."""
    x0, x1, least = blob.x, blob.x + blob.w, share * blob.w
    for left, right in taken:
        if (right if right < x1 else x1) - (left if left > x0 else x0) > least:
            return True
    return False


def _clipped_to_band(row: Row, members: list[Blob], blobs: list[Blob], ink: np.ndarray,
                     pitch: float) -> list[Blob]:
    """Characters that touch something taller (the frame, a sticker, the car around a
    loose crop) are one blob with it. Cutting the ink to the row's band of rows frees
    them: the blobs of the band that stand where no character was found yet."""
    top = max(0, int(round(row.top - 0.08 * row.height)))
    bottom = min(ink.shape[0], int(round(row.bottom + 0.08 * row.height)) + 1)
    taken = [(b.x, b.right) for b in members]
    found = []
    for blob in _band_blobs(blobs, ink, top, bottom):
        if blob.h < 0.7 * row.height or _overlaps(blob, taken) \
                or blob.right < row.left - 1.5 * pitch or blob.x > row.right + 1.5 * pitch \
                or _frame_side(blob, top, bottom):
            continue
        if blob.aspect > MAX_ASPECT or blob.w > SPLIT_WIDTH * pitch:
            pieces = split_touching(blob, ink, pitch)
            if len(pieces) < 2:
                pieces = _opened_pieces(blob, ink, row, pitch) or pieces
        else:
            pieces = [blob]
        for p in pieces:
            # the band's blob may be a row blob already split into members: its pieces
            # are those members again (no one of them covers 30% of the whole blob)
            verdict = judge(p, ink.shape)
            if (verdict in ("", "large") or verdict == "edge" and _cut_by_the_side(p, row)) \
                    and p.aspect >= 0.12 and 0.2 <= p.fill <= 0.9 \
                    and not _overlaps(p, taken):
                found.append(p)
                taken.append((p.x, p.right))
    return found


OPENING = 3  # side of the square that erodes a joined blob: bridges this thin break


def _opened_pieces(blob: Blob, ink: np.ndarray, row: Row, pitch: float) -> list[Blob]:
    """A character joined to a picture by a thin bridge (a branch of Oregon's tree
    touching a ``T``) is one blob that no empty column cuts. Eroding the
    blob by an OPENING square breaks bridges thinner than it while the characters'
    thicker strokes survive; each surviving part, grown back within the blob's own ink
    (an *opening by reconstruction*), is a piece. Only pieces shaped like one character
    of the row are returned (the picture's parts are not): no wider than 1.3 characters,
    their height within MISFIT_HEIGHT of the row's, as for any member that fits the row.

    Tried where the band's blob is too wide for one character and no empty column cut
    it. Measured (``bench_segmentation.py --synthetic 1000 --seed 7|11 --augment
    none|light|default [--endtoend]``): seed 7 99.5 / 96.8 / 78.5% -> 99.5 / 96.9 / 78.8%,
    seed 11 98.8 / 96.5 / 79.8% -> 98.8 / 96.5 / 79.9%; the 359 real crops' count 92.8% ->
    93.0%; the ``endtoend`` counts unchanged (183 of 210). With heights from 0.7 to 1.3
    rows, a ring's side broken off by the erosion (Oregon's ``Q`` against the tree) came
    in as a character. Characters joined more broadly (Maryland's ``T`` to the heron,
    Arizona's ``A`` to the cactus's ground) are not freed by it."""
    patch = ink[blob.y:blob.bottom, blob.x:blob.right]
    count, labels, stats, _ = cv2.connectedComponentsWithStats(patch, connectivity=4)
    if count < 2:
        return []
    own = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    kernel = np.ones((OPENING, OPENING), np.uint8)
    eroded = cv2.erode(own, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(eroded, connectivity=4)
    pieces = []
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_HEIGHT] < 0.5 * row.height:
            continue
        grown = cv2.dilate((labels == label).astype(np.uint8), kernel) & own
        ys, xs = np.nonzero(grown)
        piece = Blob(blob.x + int(xs.min()), blob.y + int(ys.min()), int(xs.max() - xs.min() + 1),
                     int(ys.max() - ys.min() + 1), int(grown.sum()))
        if abs(piece.h - row.height) <= MISFIT_HEIGHT * row.height and piece.w <= 1.3 * pitch:
            pieces.append(piece)
    return pieces


FRAME_SIDE_ASPECT = 0.3  # width / height: a thinner piece running through the band ...


def _frame_side(blob: Blob, top: int, bottom: int) -> bool:
    """Whether a piece of the band is a frame's side that the band cut free: a thin
    upright running through the whole band, beyond the characters' top and bottom
    (a ``1`` or an ``I`` is as tall as the others, a margin short of the band's edges).

    Two-line plates lost most to it: their frame's sides, beside the lower line, were
    counted as characters. Measured (``bench_segmentation.py``): synthetic light 89.8%
    -> 91.1%, default 68.1% -> 69.5%; the real crops' count and the segmented backend's
    held-out crops unchanged; ``endtoend/us`` segmented 61.8% -> 62.7%. With an aspect
    limit of 0.25: default 69.2%; requiring the band's exact edges (no pixel of slack):
    light 90.2%."""
    return blob.aspect < FRAME_SIDE_ASPECT and blob.y <= top + 1 and blob.bottom >= bottom - 1


CUT_ALIGN = 0.1  # of the row's height: how far a side piece's height and top may stray
CUT_MIN_ASPECT = 0.15  # width / height: a narrower piece at the side is the frame
CUT_MAX_FILL = 0.7  # ink share of its box: a fuller one is a solid bar, the frame


def _cut_by_the_side(blob: Blob, row: Row) -> bool:
    """Whether a thin blob at the crop's side (judged ``edge``: a frame's side, as a
    rule) is a character that a tight crop cut through: exactly as tall as the row's
    characters and standing on their line, not a sliver and not a solid bar.

    Measured (``bench_segmentation.py``): the 359 real crops' count 89.1% -> 90.0%
    (Illinois' first 8, Nevada's B and Oregon's last 1, each cut by the crop; no
    crop lost); synthetic crops, light augmentation, 88.5% -> 88.7%, default 67.1% ->
    67.0%. Without the fill test, frame sides of the characters' height came in
    (light 88.4%); with aspects from 0.1, or heights and tops off by up to 15%, default
    augmentation fell to 66.4-66.6%."""
    stray = CUT_ALIGN * row.height
    return (abs(blob.h - row.height) <= stray and abs(blob.y - row.top) <= stray
            and blob.aspect >= CUT_MIN_ASPECT and blob.fill <= CUT_MAX_FILL)


BAND_LINE_THICKNESS = 0.06
"""Of the band's height: long horizontal lines thinner than this are erased from the
band before it is labelled (:func:`segmentation.characters.remove_thin_lines`). A
frame's edge or a plate's border that runs through the band keeps characters joined
to it, and to each other, after the cut. Measured (``bench_segmentation.py``):
synthetic light 89.2% -> 89.8%, default 67.7% -> 68.1%; the real crops' count, the
segmented backend's held-out crops and the ``endtoend`` photos unchanged. Erasing the
lines whatever their thickness broke the bold tops of Nevada's ``55``, joined to the
mountains (one real crop lost, one gained); up to 0.1 of the band, real 92.2% -> 91.9%."""


UPRIGHT_REACH = 0.2  # of the band's height: how far beyond it a frame's side runs ...
UPRIGHT_ZONE = 0.1  # ... within this share of the crop's width from either side


def _without_frame_sides(band: np.ndarray, ink: np.ndarray, top: int, bottom: int
                         ) -> np.ndarray:
    """The band without the frame's sides: uprights that run through the band and
    UPRIGHT_REACH of its height beyond it, above and below, in the outer UPRIGHT_ZONE
    of the crop (:func:`segmentation.characters.long_vertical_runs`).

    A first or last character that touches the frame's side, as a tilted or loosely
    cut plate's often does, is one blob with it even in the band: too tall, or a thin
    upright judged the frame. Without the side it comes free. A character's stroke
    never reaches beyond the band. Measured (``bench_segmentation.py --synthetic 1000
    --augment none|light|default``): seed 7 95.6 / 90.7 / 72.0% -> 95.7 / 92.0 / 73.0%,
    seed 11 95.2 / 89.7 / 71.9% -> 95.9 / 90.6 / 73.8%; the real crops' count (92.2%),
    the segmented backend's held-out crops (90.3%) and the ``endtoend`` photos
    unchanged. Variants (one-off changes, not in the repo): erasing only the band's own
    full-height uprights, anywhere, cost 1.4 points of the real count (tall strokes
    within the band); in the outer tenth only, it freed a stray bar beside a tight
    crop's last character (``endtoend/us`` one photo fewer); with a reach of 0.4 (the
    constant changed), light 91.0%.

    A band near the crop's top or bottom edge (a two-line plate's lower line) is looked
    beyond on the other side only: the frame's sides beside the lower line were kept as
    characters. Measured (``--synthetic 5000 --augment none``): 99.0% -> 99.1% (two-line
    96.8% -> 97.2%); the real figures unchanged."""
    reach = int(round(UPRIGHT_REACH * (bottom - top)))
    lo, hi = top - reach, bottom + reach
    if lo < 0 and hi > ink.shape[0] or bottom - top < 3:
        return band  # the crop ends too near the band to tell a frame from a character
    lo, hi = max(0, lo), min(ink.shape[0], hi)  # beyond it on one side at least
    sides = long_vertical_runs(ink[lo:hi], hi - lo)
    width = ink.shape[1]
    sides[:, int(UPRIGHT_ZONE * width):width - int(UPRIGHT_ZONE * width)] = 0
    if not sides.any():
        return band
    return cv2.subtract(band, sides[top - lo:bottom - lo])


def _band_blobs(blobs: list[Blob], ink: np.ndarray, top: int, bottom: int) -> list[Blob]:
    """The blobs of ``ink[top:bottom]``, in the crop's coordinates, without the thin
    lines running through the band and without the frame's sides
    (:func:`_without_frame_sides`). When no blob of the whole crop crosses the band's
    edges, and none is wide enough to hold a line, they are the blobs within it, in the
    same (raster) order, and labelling the band again is skipped (nothing then runs
    beyond the band to be a frame's side)."""
    inside, line_length = [], LINE_LENGTH * ink.shape[1]
    for b in blobs:
        if b.y < bottom and b.y + b.h > top:
            if b.y < top or b.y + b.h > bottom or b.w >= line_length:  # label the band
                band = remove_thin_lines(ink[top:bottom],
                                         round(BAND_LINE_THICKNESS * (bottom - top)))
                band = _without_frame_sides(band, ink, top, bottom)
                return [Blob(c.x, c.y + top, c.w, c.h, c.area) for c in blobs_of(band)]
            inside.append(b)
    return inside


def _cut_out(crop: np.ndarray, attempt: _Attempt | None, scale: float,
             char_size: int) -> Segmentation:
    if attempt is None or not attempt.rows:
        return Segmentation(())
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop[..., :3], cv2.COLOR_BGR2GRAY)
    crop_h, crop_w = gray.shape
    dark = attempt.binarisation.polarity == "dark"
    characters = []
    for line, row in enumerate(attempt.rows):
        for blob in row.blobs:
            box = _to_crop(blob.box, scale, crop_w, crop_h)
            x, y, w, h = box
            m = CUT_MARGIN * h
            x0, y0 = max(0, int(round(x - m))), max(0, int(round(y - m)))
            x1 = min(crop_w, int(round(x + w + m)))
            y1 = min(crop_h, int(round(y + h + m)))
            image = normalize_character(gray[y0:y1, x0:x1], char_size, dark_on_light=dark)
            characters.append(SegmentedCharacter(box, line, image))
    rejected = tuple((_to_crop(blob.box, scale, crop_w, crop_h), why)
                     for blob, why in attempt.rejected)
    return Segmentation(tuple(characters), attempt.binarisation.name,
                        attempt.binarisation.polarity, attempt.score, len(attempt.rows),
                        rejected)


def _to_crop(box, scale: float, crop_w: int, crop_h: int) -> tuple[int, int, int, int]:
    """A working-size box in the crop's own pixels."""
    x, y, w, h = (v / scale for v in box)
    x0, y0 = max(0, int(np.floor(x))), max(0, int(np.floor(y)))
    x1, y1 = min(crop_w, int(np.ceil(x + w))), min(crop_h, int(np.ceil(y + h)))
    return (x0, y0, max(1, x1 - x0), max(1, y1 - y0))


KEPT, REJECTED = (0, 200, 0), (0, 0, 255)


def _draw_stages(stages: dict, crop: np.ndarray, best: _Attempt | None,
                 segmentation: Segmentation) -> None:
    """The chosen threshold, its candidate blobs and the final boxes, as images."""
    if best is None:
        return
    stages["threshold"] = best.ink
    blobs = cv2.cvtColor(best.ink, cv2.COLOR_GRAY2BGR) // 3
    for blob, _ in best.rejected:
        cv2.rectangle(blobs, (blob.x, blob.y), (blob.right - 1, blob.bottom - 1), REJECTED, 1)
    for row in best.rows:
        for blob in row.blobs:
            cv2.rectangle(blobs, (blob.x, blob.y), (blob.right - 1, blob.bottom - 1), KEPT, 1)
    stages["blobs"] = blobs
    shown = crop.copy() if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    thickness = max(1, shown.shape[0] // 80)
    for index, (x, y, w, h) in enumerate(segmentation.boxes.tolist()):
        cv2.rectangle(shown, (x, y), (x + w - 1, y + h - 1), KEPT, thickness)
        cv2.putText(shown, str(index + 1), (x, max(10, y - 3)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.3 * thickness + 0.2, KEPT, thickness)
    stages["characters"] = shown
