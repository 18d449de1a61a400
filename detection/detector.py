"""Find licence plates in a photo: the detection stage, end to end.

1. Work on a gray copy no larger than ``WORK_MAX_SIDE``; build an image *pyramid*
   (the image at 1, 1/2, 1/4... of its size) so that one fixed range of character
   heights, searched at every level, covers small and large plates alike.
2. Propose: at each level and for both polarities, find rows of character-like
   blobs (:mod:`detection.characters`), and grow each row to the plate around it
   (a plate is taller and a little wider than its characters).
3. Verify: warp each proposal upright and look for its characters again, more
   carefully (:mod:`detection.verify`); the evidence gives the score and a refined
   plate outline.
4. Keep the best by non-maximum suppression, look beyond each kept row's ends for
   the rest of its plate's characters (:func:`grown`: plates that set a group of
   characters apart are often proposed around one group), and cut each plate out
   with a perspective warp (:func:`detection.geometry.rectify`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from detection.characters import (
    TextLine,
    character_blobs,
    draw_links,
    link_into_lines,
    threshold_characters,
    without_long_runs,
)
from detection.geometry import (
    non_max_suppression,
    quad_box,
    rectified_crop_height,
    rectify,
    rotated_rect_quad,
)
from detection.morphology import edge_bands
from detection.types import PlateCandidate
from detection.verify import VERIFY_HEIGHT, PlateEvidence, best_rows, verify_candidate

WORK_MAX_SIDE = 1600         # larger photos are searched on a copy scaled down to this
CHAR_HEIGHT_RANGE = (8, 40)  # character heights (px) searched at each pyramid level...
FINEST_MAX_HEIGHT = 24       # ...but at full size only small ones: larger characters show at
                             # the next level, and the full-size level is the costly one.
# At full size, ink runs longer than that are taken away before blobs are labelled
# (characters.without_long_runs): small characters touching a frame line come free.
# Measured (platechar compare .../endtoend/R): segmented us 66.4% -> 68.2%, the rest
# unchanged; the same at the coarser levels lost two Brazilian photos.
MIN_LEVEL_SIDE = 48          # stop the pyramid when a level's short side is smaller
BLOCK_SIZE = 25              # neighbourhood of the local threshold (px, at each level)
PLATE_HEIGHT_PER_CHAR = 1.8  # plate height / character height (US ~2.1, EU ~1.4)
PLATE_WIDTH_MARGIN = 0.45    # plate margin each side of the characters, in character heights
VERIFIED_PER_METHOD = 14     # proposals of each method examined closely, best first
GROW_REACH = 3.0             # a kept plate is searched this many character heights
                             # beyond each end of its row for more of its characters...
GROW_MIN_ADDED = 1           # ...and grown only when at least this many more are found;
GROW_BAND = 0.2              # the search keeps to the first row's band, plus this many
                             # character heights above and below it;
GROW_SCORE_SHARE = 0.75      # a row that grows the first, found beside a better row that
                             # does not, is taken when it scores this share of that one.
# It was 2, for fear that one more is as often a bolt as a character; measured with 1
# (bench_detection.py): whole plates us 70.0% -> 70.9%, br 83.7% -> 85.7%, 200 synthetic
# scenes 45.5% -> 47.0%, nothing lower; end to end (platechar compare) segmented us/br
# 62.7/69.4% -> 64.5/73.5%, holistic 72.7/79.6% -> 74.5/81.6%, eu unchanged.


@dataclass
class Proposal:
    """A region that may be a plate, in work-image coordinates."""

    quad: np.ndarray
    score: float
    method: str
    evidence: PlateEvidence | None = None

    @property
    def box(self):
        x0, y0 = self.quad.min(axis=0)
        x1, y1 = self.quad.max(axis=0)
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def detect_plates(image: np.ndarray, *, max_candidates: int = 5,
                  stages: dict | None = None) -> list[PlateCandidate]:
    """Plate candidates in a BGR (or gray) ``uint8`` photo, best first.

    ``stages``: pass a dict to receive the named intermediate images (gray, the
    thresholds and text rows of the finest level, all proposals, the verified
    candidates) for teaching and debugging.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, WORK_MAX_SIDE / max(gray.shape[:2]))
    work = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale,
                                                interpolation=cv2.INTER_AREA)
    if stages is not None:
        stages["gray"] = work
    proposals = propose_from_characters(work, stages) + propose_from_edges(work, stages)
    verified = verify_proposals(work, proposals)
    keep = non_max_suppression([p.box for p in verified], [p.score for p in verified], 0.3)
    best = [verified[i] for i in keep if verified[i].score > 0][:max_candidates]
    kept = [grown(work, proposal) for proposal in best]
    order = non_max_suppression([p.box for p in kept], [p.score for p in kept], 0.3)
    kept = [kept[i] for i in order]  # a grown candidate may now cover a better one

    results = []
    for proposal in kept:
        quad = (proposal.quad / scale).astype(np.float32)
        evidence = proposal.evidence
        results.append(PlateCandidate(
            box=quad_box(quad, image.shape),
            quad=quad,
            crop=rectify(image, quad, height=rectified_crop_height(quad)),
            score=round(proposal.score, 4),
            method=proposal.method,
            details={"characters": evidence.row.count if evidence.row else 0,
                     "binarisation": evidence.binarisation,
                     "contrast": round(evidence.contrast, 3)},
        ))
    if stages is not None:
        stages["proposals"] = _draw(work, proposals, (0, 160, 255))
        stages["candidates"] = _draw(work, kept, (0, 200, 0), ranked=True)
    return results


def pyramid(image: np.ndarray):
    """Yield ``(level, factor)``: the image halved again and again (``factor`` = 1, 2, 4...
    is how much larger the original is), until a level's short side is too small."""
    level, factor = image, 1
    while min(level.shape[:2]) >= MIN_LEVEL_SIDE:
        yield level, factor
        level, factor = cv2.pyrDown(level), factor * 2


def propose_from_characters(work: np.ndarray, stages: dict | None = None) -> list[Proposal]:
    """Rows of character-like blobs at every pyramid level, grown into plate outlines."""
    proposals = []
    for level, factor in pyramid(work):
        # Light-on-dark plates are rare and large enough to show at the coarser levels
        # (and in the edge proposals); skipping them at full size saves a third of the time.
        for polarity in ("dark", "light") if factor > 1 else ("dark",):
            binary = threshold_characters(level, polarity, BLOCK_SIZE)
            max_height = FINEST_MAX_HEIGHT if factor == 1 else CHAR_HEIGHT_RANGE[1]
            if factor == 1:  # small characters, in a photo's clutter: free them of lines
                binary = without_long_runs(binary, FINEST_MAX_HEIGHT)
            blobs = character_blobs(binary, CHAR_HEIGHT_RANGE[0], max_height)
            rows = link_into_lines(blobs, level.shape, polarity)
            for row in rows:
                quad = plate_quad_around(row.char_boxes * factor, row.angle)
                if quad is not None:
                    proposals.append(Proposal(quad, _row_prior(row), "characters"))
            if stages is not None and factor == 1.0:
                stages[f"threshold_{polarity}"] = binary
                stages[f"rows_{polarity}"] = draw_links(blobs, level.shape)
    return proposals


def propose_from_edges(work: np.ndarray, stages: dict | None = None) -> list[Proposal]:
    """Bands of dense vertical edges at every pyramid level, grown into plate outlines."""
    proposals = []
    for level, factor in pyramid(work):
        for band, solidity in edge_bands(level, stages if factor == 1.0 else None):
            tl, tr, br, bl = band * factor
            height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
            width = np.linalg.norm(tr - tl)
            angle = math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0]))
            if abs(angle) > 35:
                continue
            centre = band.mean(axis=0) * factor
            # The band may be the whole plate (closing filled it) or only its characters.
            as_plate = (width * 1.08, height * 1.15)
            as_characters = (width + 2 * PLATE_WIDTH_MARGIN * height,
                             height * PLATE_HEIGHT_PER_CHAR)
            for size in (as_plate, as_characters):
                proposals.append(Proposal(rotated_rect_quad(centre, size, angle), 0.5 * solidity,
                                          "morphology"))
    return proposals


def plate_quad_around(char_boxes: np.ndarray, angle: float) -> np.ndarray | None:
    """The outline of the plate around a row of characters: taller, a little wider."""
    if abs(angle) > 35:
        return None
    boxes = np.asarray(char_boxes, float)
    char_h = float(np.median(boxes[:, 3]))
    if char_h < 4:
        return None
    x0, x1 = boxes[:, 0].min(), (boxes[:, 0] + boxes[:, 2]).max()
    centres_x = boxes[:, 0] + boxes[:, 2] / 2
    centres_y = boxes[:, 1] + boxes[:, 3] / 2
    tan = math.tan(math.radians(angle))
    mid_x = (x0 + x1) / 2
    mid_y = float(np.mean(centres_y - (centres_x - mid_x) * tan))
    along = (x1 - x0) / math.cos(math.radians(angle)) + 2 * PLATE_WIDTH_MARGIN * char_h
    return rotated_rect_quad((mid_x, mid_y), (along, PLATE_HEIGHT_PER_CHAR * char_h), angle)


def verify_proposals(work: np.ndarray, proposals: list[Proposal]) -> list[Proposal]:
    """Examine the best proposals closely; score and refine each by its evidence."""
    chosen = []
    for method in ("characters", "morphology"):
        of_method = [p for p in proposals if p.method == method]
        keep = non_max_suppression([p.box for p in of_method], [p.score for p in of_method], 0.6)
        chosen += [of_method[i] for i in keep[:VERIFIED_PER_METHOD]]
    verified = []
    for proposal in chosen:
        crop = rectify(work, proposal.quad, height=VERIFY_HEIGHT)
        evidence = verify_candidate(crop)
        quad = proposal.quad
        if evidence.row is not None:
            refined = _refine_quad(proposal.quad, crop.shape, evidence.row)
            quad = refined if refined is not None else quad
        verified.append(Proposal(quad, evidence.score, proposal.method, evidence))
    return verified


def grown(work: np.ndarray, proposal: Proposal) -> Proposal:
    """The proposal widened to the rest of its plate's characters, if there are more.

    Many plates split their characters into groups by a wider gap, a dash or an emblem
    (``RK-875AE``, ``ABC 1234``). In the photo that gap is wider than the one that links
    blobs into a row, so a plate is often proposed around one group only, and the crop
    that verification sees ends where the group ends. So the crop is widened by
    ``GROW_REACH`` character heights each way and verified again: when that finds a
    longer row of the same height that contains the first, the plate is re-centred on it.
    The wider crop is read in the first row's polarity only: it takes in the car around
    the plate, whose dark paint can tip the dark share that verification would guess the
    polarity from (``python benchmarks/bench_detection.py --synthetic 200``: whole plates
    found in the Brazilian photos 81.6% -> 83.7%, synthetic 44.5% -> 45.5%, the others
    unchanged; ``platechar compare .../endtoend/br``, holistic, 77.6% -> 79.6%).
    And it is read within the first row's band only (``GROW_BAND``, see
    :func:`detection.verify.within_band`), since the rest of the row lies on its line:
    in the wide crop the other characters often touch the plate's dirty lower edge or
    its frame, and only the band cuts them free. Measured: US whole plates 70.9% ->
    74.5% (eu, br unchanged); end to end (``platechar compare``, us/eu/br) segmented
    64.5/78.6/73.5% -> 66.4/78.6/77.6%, holistic 74.5/82.1/81.6% -> 77.3/80.4/83.7%
    (Europe's one photo lost is a 0 read as O in a crop a pixel off).
    """
    evidence = proposal.evidence
    if evidence is None or evidence.row is None:
        return proposal
    tl, tr, br, bl = proposal.quad.astype(np.float64)
    length = float(np.linalg.norm(tr - tl))
    if length < 1:
        return proposal
    quad_height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    reach_crop = GROW_REACH * evidence.row.char_height     # in the 48 px crop's pixels
    reach = (tr - tl) / length * reach_crop * quad_height / VERIFY_HEIGHT
    wide = np.array([tl - reach, tr + reach, br + reach, bl - reach], np.float32)
    crop = rectify(work, wide, height=VERIFY_HEIGHT)
    first = evidence.row
    top = int(first.char_boxes[:, 1].min())
    bottom = int((first.char_boxes[:, 1] + first.char_boxes[:, 3]).max())
    margin = int(round(GROW_BAND * first.char_height))
    band = (max(0, top - margin), bottom + margin)
    # The first row must lie inside the new one; both crops are VERIFY_HEIGHT high, so
    # in the wide one the first row stands reach_crop pixels further right.
    x0 = first.char_boxes[:, 0].min() + reach_crop
    x1 = (first.char_boxes[:, 0] + first.char_boxes[:, 2]).max() + reach_crop

    def grows_first(row: TextLine) -> bool:
        centres = row.char_boxes[:, 0] + row.char_boxes[:, 2] / 2
        return (row.count >= first.count + GROW_MIN_ADDED
                and 0.8 < row.char_height / first.char_height < 1.25
                and np.count_nonzero((centres > x0) & (centres < x1)) >= first.count - 1)

    # the best row, and the best that grows the first, found in one pass
    wider, growing = best_rows(crop, first.polarity, band, (None, grows_first))
    if wider.row is None:
        return proposal
    if not grows_first(wider.row):
        # The wide crop's best row may still be the first group alone, scored above the
        # whole row whose wide gap counts as irregular: take the best row that grows the
        # first when it is nearly as plate-like.
        if growing.row is None or growing.score < GROW_SCORE_SHARE * wider.score:
            return proposal
        wider = growing
    quad = _refine_quad(wide, crop.shape, wider.row)
    if quad is None:
        return proposal
    # The score stays: growing completes a candidate, it does not promote one above
    # another (so the ranking does not depend on how many candidates are asked for;
    # measured, promoting by the grown row's score changed the first candidate in 9 of
    # 100 synthetic scenes at max_candidates=3, losing the plate in 5, for 2 more
    # Brazilian photos).
    return Proposal(quad, proposal.score, proposal.method, wider)


def _refine_quad(quad: np.ndarray, crop_shape, row: TextLine) -> np.ndarray | None:
    """Re-centre the plate outline on the characters verification found in the crop."""
    crop_quad = plate_quad_around(row.char_boxes, row.angle)
    if crop_quad is None:
        return None
    h, w = crop_shape[:2]
    crop_corners = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    to_image = cv2.getPerspectiveTransform(crop_corners, quad.astype(np.float32))
    return cv2.perspectiveTransform(crop_quad.reshape(1, 4, 2), to_image).reshape(4, 2)


def _row_prior(row: TextLine) -> float:
    """A quick plausibility of a proposal's row, used to choose what to verify first."""
    n = row.count
    count_term = 1.0 if 4 <= n <= 9 else 0.55 if n == 3 else max(0.2, 1 - 0.12 * (n - 9))
    return count_term * row.regularity(gap_weight=0.6)


def _draw(work: np.ndarray, proposals: list[Proposal], colour, ranked: bool = False) -> np.ndarray:
    """Outlines on the gray photo; with ``ranked``, each labelled with its rank and score."""
    canvas = cv2.cvtColor(work, cv2.COLOR_GRAY2BGR)
    thickness = max(1, round(max(work.shape) / 600))
    for rank, proposal in enumerate(proposals, 1):
        corners = proposal.quad.astype(np.int32)
        cv2.polylines(canvas, [corners], True, colour, thickness, cv2.LINE_AA)
        if ranked:
            x, y = corners[:, 0].min(), corners[:, 1].min()
            cv2.putText(canvas, f"#{rank} {proposal.score:.2f}", (int(x), int(y) - 4),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thickness, colour, thickness, cv2.LINE_AA)
    return canvas
