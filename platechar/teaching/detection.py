"""Stage 1 of both pipelines, shown: how the plate is found in the photo.

The detector (:mod:`detection`) proposes regions from dense vertical edges and from rows
of character-like ink blobs, verifies each by looking for its characters, and cuts the
best ones out with a perspective warp. These figures draw its named stage images
(``platechar.detect(image, stages={})``) and its candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from platechar.errors import PlatecharError
from platechar.teaching.drawing import (
    KEPT_COLOUR,
    OTHER_COLOUR,
    REJECTED_COLOUR,
    WIDTH,
    image_height,
    new_figure,
    show_image,
    styled,
)
from platechar.teaching.sections import DemoSection


@dataclass
class PlateTrace:
    """What detection found in the demo's image, and the crop the readers will read.

    ``candidate`` is the rank (1 = best) of the candidate followed; 0 when the image was
    given as a crop (``from_crop``) or when no plate was found (``crop`` is then None).
    """

    image: np.ndarray
    from_crop: bool
    stages: dict = field(default_factory=dict)
    candidates: list = field(default_factory=list)
    candidate: int = 0
    crop: np.ndarray | None = None


def trace_plate(image, *, crop: bool = False, candidate: int = 1) -> PlateTrace:
    """Load ``image`` and find its plates, keeping the detector's stage images.

    ``crop=True`` takes the image as a plate already cut out (detection is skipped).
    ``candidate`` picks which plate to follow by rank, 1 being the best (the one
    ``platechar.read`` reads first). A rank beyond the candidates found is an error;
    finding no plate at all is not (the trace then has no crop).
    """
    from platechar.images import load_image
    from platechar.reader import detect

    if isinstance(candidate, bool) or not isinstance(candidate, int) or candidate < 1:
        raise PlatecharError(f"candidate must be a rank 1, 2, 3..., got {candidate!r}")
    pixels = load_image(image)
    if crop:
        return PlateTrace(pixels, True, crop=pixels)
    stages: dict = {}
    candidates = detect(pixels, stages=stages)
    if candidates and candidate > len(candidates):
        raise PlatecharError(f"only {len(candidates)} plate candidate"
                             f"{'s were' if len(candidates) > 1 else ' was'} found; "
                             f"cannot follow candidate {candidate}")
    chosen = candidates[candidate - 1].crop if candidates else None
    return PlateTrace(pixels, False, stages, candidates, candidate if candidates else 0, chosen)


def looks_like_a_crop(image: np.ndarray) -> bool:
    """Small and plate-shaped (at most 200 px high, 1.2 to 6 times as wide): probably a
    plate that is already cut out, which detection would search for a plate inside."""
    height, width = image.shape[:2]
    return height <= 200 and 1.2 <= width / height <= 6.0


def as_trace(image, crop: bool, candidate: int) -> PlateTrace:
    """``image`` traced (see :func:`trace_plate`), or as it is when it is a trace."""
    return image if isinstance(image, PlateTrace) else trace_plate(image, crop=crop,
                                                                   candidate=candidate)


def detection_section(trace: PlateTrace) -> DemoSection:
    """The figures of finding the plate, with what was found."""
    if trace.from_crop:
        intro = ("The image was given as a plate crop, so detection is skipped and both "
                 "readers start from it as it is.")
        summary = "Read as a plate crop (detection skipped)."
    else:
        intro = ("Stage 1 of both pipelines: classical computer vision (no learned model) "
                 "proposes regions that may be plates, scores each one by the characters "
                 "found inside, and cuts the best one out.")
        count = len(trace.candidates)
        summary = (f"{count} plate candidate{'s' if count != 1 else ''} found; following "
                   f"#{trace.candidate} (score {trace.candidates[trace.candidate - 1].score:.2f})."
                   if count else "No plate was found in this image.")
        if looks_like_a_crop(trace.image):
            height, width = trace.image.shape[:2]
            summary += (f" The image ({width} x {height}) looks like a plate crop already: "
                        "pass crop=True (platechar demo --crop) to read it as it is.")
    return DemoSection("Finding the plate", intro, detection_stage_figures(trace), summary)


def detection_stage_figures(trace: PlateTrace) -> dict:
    """``{name: Figure}`` for the detection stages of ``trace`` (only ``input`` for a crop)."""
    if trace.from_crop:
        return {"input": _input_figure(trace.image, "The input: a plate crop")}
    figures = {
        "input": _input_figure(trace.image, "The input image"),
        "grayscale": _grayscale_figure(trace.stages["gray"]),
        "edges_and_morphology": _edges_figure(trace.stages),
        "candidates": _candidates_figure(trace),
    }
    if trace.crop is not None:
        figures["chosen_plate"] = _chosen_plate_figure(trace)
    return figures


@styled
def _input_figure(image: np.ndarray, title: str):
    h, w = image.shape[:2]
    width = WIDTH if w >= 2 * h else 8.0
    figure = new_figure(width, image_height(image, width - 1))
    ax = figure.add_subplot()
    show_image(ax, image, f"{title}: {w} x {h} pixels, 3 colour channels")
    return figure


@styled
def _grayscale_figure(gray: np.ndarray):
    figure = new_figure(WIDTH, image_height(gray, 6.5, limits=(3.5, 6.5)))
    image_ax, hist_ax = figure.subplots(1, 2, width_ratios=[2.0, 1.0])
    height, width = gray.shape
    show_image(image_ax, gray, f"Gray: one brightness per pixel ({width} x {height})")
    hist_ax.hist(gray.ravel(), bins=64, range=(0, 256), color="0.35")
    hist_ax.set_title("Histogram of gray levels")
    hist_ax.set_xlabel("gray level (0 = black, 255 = white)")
    hist_ax.set_ylabel("number of pixels")
    hist_ax.set_xlim(0, 255)
    return figure


@styled
def _edges_figure(stages: dict):
    panels = [
        ("edges", "Sobel x: vertical edges (strokes)"),
        ("closed", "Closing joins the edges into bands"),
        ("threshold_dark", "Local threshold: dark ink (white)"),
        ("rows_dark", "Character-shaped blobs, linked into rows"),
    ]
    panels = [(name, title) for name, title in panels if name in stages]
    sample = stages[panels[0][0]]
    cols = 2
    rows = math.ceil(len(panels) / cols)
    panel_width = (WIDTH - 0.5) / cols
    height = rows * (panel_width * sample.shape[0] / sample.shape[1] + 0.6) + 0.6
    figure = new_figure(WIDTH, float(np.clip(height, 4.0, 11.0)))
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, title) in zip(axes, panels, strict=False):
        show_image(ax, stages[name], title, pixel_axes=False)
    for ax in axes[len(panels):]:
        ax.axis("off")
    figure.suptitle("Two kinds of proposals: dense vertical edges, and rows of ink blobs")
    return figure


@styled
def _candidates_figure(trace: PlateTrace):
    from matplotlib.patches import Polygon

    stages, candidates = trace.stages, trace.candidates
    image = trace.image
    panel_width = (WIDTH - 0.6) / 2
    height = panel_width * image.shape[0] / image.shape[1] + 0.8 + 2.6
    figure = new_figure(WIDTH, float(np.clip(height, 5.0, 10.0)))
    grid = figure.add_gridspec(2, 2, height_ratios=[3.0, 1.2])
    proposals_ax = figure.add_subplot(grid[0, 0])
    candidates_ax = figure.add_subplot(grid[0, 1])
    scores_ax = figure.add_subplot(grid[1, :])
    if "proposals" in stages:
        show_image(proposals_ax, stages["proposals"], "Every proposal (orange), before scoring",
                   pixel_axes=False)
    else:
        proposals_ax.axis("off")
    show_image(candidates_ax, image, f"{len(candidates)} candidate"
               f"{'s' if len(candidates) != 1 else ''} after verification", pixel_axes=False)
    for rank, candidate in enumerate(candidates, start=1):
        chosen = rank == trace.candidate
        colour = KEPT_COLOUR if chosen else OTHER_COLOUR
        candidates_ax.add_patch(Polygon(candidate.quad, closed=True, fill=False,
                                        edgecolor=colour, linewidth=2.5 if chosen else 1.5))
        x, y = candidate.quad[0]
        candidates_ax.text(x, y - 4, f"#{rank} {candidate.score:.2f}", color="white",
                           fontsize=9, fontweight="bold", va="bottom",
                           bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})
    if candidates:
        ranks = np.arange(1, len(candidates) + 1)
        colours = [KEPT_COLOUR if r == trace.candidate else OTHER_COLOUR for r in ranks]
        bars = scores_ax.bar(ranks, [c.score for c in candidates], color=colours, width=0.6)
        scores_ax.bar_label(bars, fmt="%.2f", padding=2)
        scores_ax.set_xticks(ranks, [f"#{r} ({c.method}, {c.details.get('characters', '?')} "
                                     "chars)" for r, c in zip(ranks, candidates, strict=True)])
        scores_ax.set_ylim(0, 1.15)
        scores_ax.set_xlim(0.4, max(4, len(candidates)) + 0.6)
        scores_ax.set_title("Verification score of each candidate (green: the one followed)")
    else:
        scores_ax.set_xticks([])
        scores_ax.set_ylim(0, 1)
        scores_ax.text(0.5, 0.5, "No plate found: no proposal held a plausible row of "
                       "characters.\nIf the image is already a plate crop, use crop=True "
                       "(platechar demo --crop).", ha="center", va="center", fontsize=12,
                       transform=scores_ax.transAxes, color=REJECTED_COLOUR)
        scores_ax.set_title("No plate candidates")
    scores_ax.set_xlabel("candidate (rank, how it was proposed, characters found inside)")
    scores_ax.set_ylabel("score (0..1)")
    figure.suptitle("Plate candidates, best first")
    return figure


@styled
def _chosen_plate_figure(trace: PlateTrace):
    from matplotlib.patches import Polygon

    candidate = trace.candidates[trace.candidate - 1]
    image, quad = trace.image, candidate.quad
    x, y, w, h = candidate.box
    margin_x, margin_y = int(0.6 * w) + 10, int(1.0 * h) + 10
    x0, y0 = max(0, x - margin_x), max(0, y - margin_y)
    x1, y1 = min(image.shape[1], x + w + margin_x), min(image.shape[0], y + h + margin_y)
    around = image[y0:y1, x0:x1]
    figure = new_figure(WIDTH, float(np.clip(5.0 * around.shape[0] / around.shape[1] + 1.4,
                                          3.0, 6.5)))
    left, right = figure.subplots(1, 2)
    show_image(left, around, f"Candidate #{trace.candidate} in the photo: its 4 corners",
               extent=(x0 - 0.5, x1 - 0.5, y1 - 0.5, y0 - 0.5))
    left.add_patch(Polygon(quad, closed=True, fill=False, edgecolor=KEPT_COLOUR, linewidth=2))
    for number, (cx, cy) in enumerate(quad, start=1):
        left.plot(cx, cy, "o", color=KEPT_COLOUR, markersize=6)
        left.annotate(str(number), (cx, cy), xytext=(4, 4), textcoords="offset points",
                      color="white", fontsize=9, fontweight="bold",
                      bbox={"facecolor": KEPT_COLOUR, "edgecolor": "none", "pad": 1})
    crop = candidate.crop
    show_image(right, crop, f"Warped upright: {crop.shape[1]} x {crop.shape[0]} pixels")
    figure.suptitle(f"The plate followed (score {candidate.score:.2f}, found by "
                    f"{candidate.method}), cut out with a perspective warp")
    return figure
