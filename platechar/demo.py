"""Teaching figures: every stage of both pipelines, one matplotlib figure per stage.

Open one photo and show how a plate is found, cut into characters and read, and how a
CRNN reads the same plate without cutting it::

    from platechar import demo

    figures = demo.segmented_figures("car.jpg")   # {"input": Figure, "grayscale": ...}
    figures = demo.holistic_figures("car.jpg")    # detection, then the CRNN's view
    demo.write_demo("car.jpg", "car.html")        # both, as one self-contained web page
    demo.write_demo("car.jpg", "car.png")         # ... or as one tall PNG image
    demo.training_curves("runs/chars-20261122-043954").savefig("curves.png")

Every function returns plain ``matplotlib.figure.Figure`` objects drawn with the Agg
renderer: no window opens, nothing global (pyplot's figure list) keeps them alive, and
they can be saved with ``fig.savefig`` or shown in a notebook. Matplotlib is imported
when a figure is first drawn, never when platechar is imported; TensorFlow is never
imported (both backends run through ONNX Runtime).

The figures' names, in order, and what each stage teaches are in :data:`STAGE_NOTES`.
"""

from __future__ import annotations

import base64
import csv
import functools
import html
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platechar.errors import PlatecharError

DPI = 100
"""Figures are drawn at this resolution: an 11-inch wide figure is 1,100 pixels wide."""

WIDTH = 11.0
"""The width of most figures, in inches."""

BACKEND_CHOICES = ("segmented", "holistic", "both")
OUTPUT_SUFFIXES = {".html": "html", ".htm": "html", ".png": "png"}

KEPT_COLOUR = "#1a9e3a"      # green: kept, chosen
REJECTED_COLOUR = "#d62728"  # red: rejected
OTHER_COLOUR = "#ff9f1c"     # orange: other candidates

STYLE = {
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "legend.fontsize": 9,
}

STAGE_NOTES: dict[str, tuple[str, str]] = {
    # detection
    "input": (
        "The input image",
        "The photo as platechar loads it: an array of pixels, height x width x 3 colour "
        "channels in OpenCV's blue-green-red order. Everything that follows is arithmetic "
        "on these numbers."),
    "grayscale": (
        "Grayscale",
        "Plates are found by their shape and contrast, not their colour, so the detector "
        "works on one brightness value per pixel. The histogram shows how those values are "
        "spread: a threshold is a cut somewhere along it."),
    "edges_and_morphology": (
        "Edges, thresholds and morphology",
        "Two ways to propose plates. Characters are full of vertical strokes, so the "
        "horizontal gradient (Sobel x) is dense on a plate, and a morphological closing "
        "(dilate, then erode) joins those strokes into solid bands. Separately, a local "
        "threshold marks dark ink, and ink blobs shaped like characters that stand in a row "
        "are linked into text rows."),
    "candidates": (
        "Plate candidates and their scores",
        "Every band and every text row becomes a proposal. Each proposal is warped upright "
        "and searched again for a row of characters; how many there are, how regular and how "
        "contrasted they are gives its score. Overlapping candidates are reduced to the best "
        "one (non-maximum suppression). The best candidate is the one read first."),
    "chosen_plate": (
        "The chosen plate, rectified",
        "The plate's four corners define a perspective transform (a homography) that maps "
        "the tilted quadrilateral onto an upright rectangle, so the next stages see the plate "
        "as if from the front."),
    # segmented
    "binarisations": (
        "Binarisations tried",
        "Segmentation needs ink (white here) apart from background (black). No single "
        "threshold suits every plate: Otsu's global level is clean on evenly lit plates, "
        "local thresholds survive shadows. Each is tried for dark-on-light and light-on-dark "
        "characters; the one whose characters look most like a plate's row wins."),
    "character_boxes": (
        "Character boxes kept and rejected",
        "Every connected blob of ink is a candidate character. Blobs of the wrong size or "
        "shape are rejected, with the reason shown; the rest are linked into the plate's row "
        "of characters, in reading order."),
    "character_classes": (
        "Each character, classified",
        "Each kept box is cut out, normalised to 32x32 pixels (white on black) and read by "
        "the 36-class character CNN. Its softmax gives a probability to every class; the "
        "three likeliest are shown."),
    "segmented_text": (
        "The segmented reading",
        "The text is the likeliest class of each character, in reading order. The plate's "
        "confidence is the product of the characters' probabilities: the chance that every "
        "one of them is right."),
    # holistic
    "network_input": (
        "The crop as the CRNN sees it",
        "The holistic reader does not cut the plate. The crop goes gray, is stretched to the "
        "network's fixed input of 32 x 128 pixels and standardised (zero mean, unit spread), "
        "so dim and bright plates look alike to it."),
    "ctc_probabilities": (
        "CTC probabilities over time",
        "Convolutions turn the image into a sequence of 32 columns, left to right; two "
        "bidirectional LSTMs read that sequence in both directions and, for each column "
        "(time step), give a probability to each of the 36 characters and to the CTC blank "
        "('no character here'). Bright cells are likely; the dots mark the best class of "
        "each column."),
    "greedy_decoding": (
        "Greedy CTC decoding",
        "Best path decoding: take the best class of each column, merge repeats that stand "
        "next to each other, then drop the blanks. A blank between two equal characters is "
        "what lets CTC spell a double letter such as 'LL'."),
    "two_lines": (
        "Read again as two lines",
        "A 32-pixel-high network cannot read two stacked lines as one sequence. A crop read "
        "unsurely, or squarer than a one-line plate, is read again as its top and bottom "
        "halves; when both halves read better, the plate is the top line then the bottom."),
    "holistic_text": (
        "The holistic reading",
        "Each character's confidence is its highest probability in the columns that produced "
        "it; the plate's is their product. Beam search, which adds up the probability of "
        "every path that spells the same text, gives the few likeliest whole texts."),
    # training
    "training_curves": (
        "Training curves",
        "Loss (what training minimises) and accuracy after every epoch, on the training data "
        "and on held-out validation data that is never trained on. When the validation curve "
        "stops improving while the training curve still does, the network has started to "
        "memorise its training data (overfitting)."),
}
"""Figure name -> (heading, a few sentences explaining the stage); the HTML page's text."""

REJECT_REASONS = {
    "small": "too short to be a character (dirt, bolts, small print)",
    "large": "taller than a character (the frame, the car around a loose crop)",
    "thin": "a thin sliver, thinner than a '1'",
    "wide": "far wider than any character or pair of touching characters (a bar)",
    "fill": "too little or too much ink for its box (an outline, a solid block)",
    "edge": "a thin upright bar at the crop's side (the plate's frame)",
    "off the line": "character-shaped, but not in the plate's row of characters",
}
"""Why the segmenter rejects a blob, in words (the keys are ``Segmentation.rejected``'s)."""


@dataclass
class DemoSection:
    """A part of a demo page: a heading, what it is about, its figures in order, and a
    one-line summary of the outcome (e.g. the text read)."""

    title: str
    intro: str
    figures: dict = field(default_factory=dict)
    summary: str = ""


# --- the plate the demo follows -----------------------------------------------------------


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


# --- public figure builders ---------------------------------------------------------------


def detection_figures(image, *, crop: bool = False, candidate: int = 1) -> dict:
    """Stage 1 of both pipelines: how the plate is found (see :func:`trace_plate`).

    Figures: ``input``, ``grayscale``, ``edges_and_morphology``, ``candidates`` and
    ``chosen_plate`` (when a plate was found); only ``input`` for a crop.
    """
    return _detection_figures(_as_trace(image, crop, candidate))


def segmented_figures(image, *, crop: bool = False, candidate: int = 1) -> dict:
    """The classical pipeline, stage by stage: find the plate, cut it into characters,
    classify each one.

    ``image``: anything :func:`platechar.load_image` accepts, or a :class:`PlateTrace`.
    Returns ``{name: Figure}`` in order: the detection figures (see
    :func:`detection_figures`), then ``binarisations``, ``character_boxes``,
    ``character_classes`` and ``segmented_text``. When no plate is found, the detection
    figures are followed by ``segmented_text`` saying so.
    """
    trace = _as_trace(image, crop, candidate)
    return {**_detection_figures(trace), **_segmented_section(trace).figures}


def holistic_figures(image, *, crop: bool = False, candidate: int = 1) -> dict:
    """The holistic pipeline, stage by stage: find the plate, then let the CRNN read it
    whole and decode its output with CTC.

    Returns ``{name: Figure}``: the detection figures, then ``network_input``,
    ``ctc_probabilities``, ``greedy_decoding``, ``two_lines`` (only when the plate was read
    as two lines) and ``holistic_text``.
    """
    trace = _as_trace(image, crop, candidate)
    return {**_detection_figures(trace), **_holistic_section(trace).figures}


def demo_sections(image, *, backend: str = "both", crop: bool = False,
                  candidate: int = 1) -> list[DemoSection]:
    """The demo of one image as sections: finding the plate, then the segmented and/or
    holistic reading (``backend``: ``"segmented"``, ``"holistic"`` or ``"both"``).
    Detection runs once, however many readers are shown."""
    _check_backend(backend)
    trace = _as_trace(image, crop, candidate)
    sections = [_detection_section(trace)]
    if backend in ("segmented", "both"):
        sections.append(_segmented_section(trace))
    if backend in ("holistic", "both"):
        sections.append(_holistic_section(trace))
    return sections


def write_demo(image, out, *, backend: str = "both", crop: bool = False, candidate: int = 1,
               training_run=None) -> Path:
    """Write the demo of ``image`` to ``out``: a self-contained web page (``.html``, figures
    embedded, a heading and explanation per stage) or one tall PNG of every figure, top to
    bottom (``.png``). ``training_run`` adds the curves of a training run folder.
    ``image`` may be None when only ``training_run`` is given. Returns the path written.
    """
    out = check_output_path(out)
    _check_backend(backend)
    if image is None and training_run is None:
        raise PlatecharError("nothing to show: give an image, a training run folder, or both")
    sections = [] if image is None else demo_sections(image, backend=backend, crop=crop,
                                                      candidate=candidate)
    title = "platechar demo"
    if isinstance(image, (str, os.PathLike)):
        title += f": {Path(image).name}"
    if training_run is not None:
        sections.append(training_section(training_run))
    return write_sections(sections, out, title=title)


def training_section(run_dir) -> DemoSection:
    """A section with the training curves of a run folder (see :func:`training_curves`)."""
    figure = training_curves(run_dir)
    name = _log_path(run_dir).parent.name
    return DemoSection("Training", f"How the network in run folder '{name}' learnt, epoch by "
                       "epoch (from its log.csv, written by Keras' CSVLogger).",
                       {"training_curves": figure})


# --- detection ----------------------------------------------------------------------------


def _as_trace(image, crop: bool, candidate: int) -> PlateTrace:
    return image if isinstance(image, PlateTrace) else trace_plate(image, crop=crop,
                                                                   candidate=candidate)


def _detection_section(trace: PlateTrace) -> DemoSection:
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
    return DemoSection("Finding the plate", intro, _detection_figures(trace), summary)


def _detection_figures(trace: PlateTrace) -> dict:
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


@functools.cache
def _pyplot_free_setup():
    """matplotlib, with its Figure class and the Agg canvas: imported on first use only."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return matplotlib, Figure, FigureCanvasAgg


def _figure(width: float, height: float, **kwargs):
    """A new Figure on an Agg canvas (no window, not registered with pyplot)."""
    matplotlib, figure_class, canvas_class = _pyplot_free_setup()
    kwargs.setdefault("layout", "constrained")
    figure = figure_class(figsize=(width, height), dpi=DPI, **kwargs)
    canvas_class(figure)
    return figure


def _styled(build):
    """Build a figure with the teaching style (larger titles) in force."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        matplotlib, _, _ = _pyplot_free_setup()
        with matplotlib.rc_context(STYLE):
            return build(*args, **kwargs)

    return wrapper


def _rgb(image: np.ndarray) -> np.ndarray:
    return image[..., 2::-1] if image.ndim == 3 else image


def _show(ax, image: np.ndarray, title: str = "", *, pixel_axes: bool = True, **kwargs) -> None:
    """An image on ``ax``: colour (BGR) as colour, gray with 0 black and 255 white."""
    if image.ndim == 2:
        kwargs = {"cmap": "gray", "vmin": 0, "vmax": 255, **kwargs}
    ax.imshow(_rgb(image), interpolation="nearest" if max(image.shape[:2]) < 200
              else "antialiased", **kwargs)
    if title:
        ax.set_title(title)
    if pixel_axes:
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
    else:
        ax.set_xticks([])
        ax.set_yticks([])


def _image_height(image: np.ndarray, width: float, extra: float = 1.2,
                  limits: tuple[float, float] = (2.5, 8.5)) -> float:
    """A figure height (inches) that shows ``image`` ``width`` inches wide, plus room for
    titles and labels."""
    h, w = image.shape[:2]
    return float(np.clip(width * h / w + extra, *limits))


@_styled
def _input_figure(image: np.ndarray, title: str):
    h, w = image.shape[:2]
    width = WIDTH if w >= 2 * h else 8.0
    figure = _figure(width, _image_height(image, width - 1))
    ax = figure.add_subplot()
    _show(ax, image, f"{title}: {w} x {h} pixels, 3 colour channels")
    return figure


@_styled
def _grayscale_figure(gray: np.ndarray):
    figure = _figure(WIDTH, _image_height(gray, 6.5, limits=(3.5, 6.5)))
    image_ax, hist_ax = figure.subplots(1, 2, width_ratios=[2.0, 1.0])
    _show(image_ax, gray, f"Gray: one brightness per pixel ({gray.shape[1]} x {gray.shape[0]})")
    hist_ax.hist(gray.ravel(), bins=64, range=(0, 256), color="0.35")
    hist_ax.set_title("Histogram of gray levels")
    hist_ax.set_xlabel("gray level (0 = black, 255 = white)")
    hist_ax.set_ylabel("number of pixels")
    hist_ax.set_xlim(0, 255)
    return figure


@_styled
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
    figure = _figure(WIDTH, float(np.clip(height, 4.0, 11.0)))
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, title) in zip(axes, panels, strict=False):
        _show(ax, stages[name], title, pixel_axes=False)
    for ax in axes[len(panels):]:
        ax.axis("off")
    figure.suptitle("Two kinds of proposals: dense vertical edges, and rows of ink blobs")
    return figure


@_styled
def _candidates_figure(trace: PlateTrace):
    from matplotlib.patches import Polygon

    stages, candidates = trace.stages, trace.candidates
    image = trace.image
    panel_width = (WIDTH - 0.6) / 2
    height = panel_width * image.shape[0] / image.shape[1] + 0.8 + 2.6
    figure = _figure(WIDTH, float(np.clip(height, 5.0, 10.0)))
    grid = figure.add_gridspec(2, 2, height_ratios=[3.0, 1.2])
    proposals_ax = figure.add_subplot(grid[0, 0])
    candidates_ax = figure.add_subplot(grid[0, 1])
    scores_ax = figure.add_subplot(grid[1, :])
    if "proposals" in stages:
        _show(proposals_ax, stages["proposals"], "Every proposal (orange), before scoring",
              pixel_axes=False)
    else:
        proposals_ax.axis("off")
    _show(candidates_ax, image, f"{len(candidates)} candidate"
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


@_styled
def _chosen_plate_figure(trace: PlateTrace):
    from matplotlib.patches import Polygon

    candidate = trace.candidates[trace.candidate - 1]
    image, quad = trace.image, candidate.quad
    x, y, w, h = candidate.box
    margin_x, margin_y = int(0.6 * w) + 10, int(1.0 * h) + 10
    x0, y0 = max(0, x - margin_x), max(0, y - margin_y)
    x1, y1 = min(image.shape[1], x + w + margin_x), min(image.shape[0], y + h + margin_y)
    around = image[y0:y1, x0:x1]
    figure = _figure(WIDTH, float(np.clip(5.0 * around.shape[0] / around.shape[1] + 1.4,
                                          3.0, 6.5)))
    left, right = figure.subplots(1, 2)
    _show(left, around, f"Candidate #{trace.candidate} in the photo: its 4 corners",
          extent=(x0 - 0.5, x1 - 0.5, y1 - 0.5, y0 - 0.5))
    left.add_patch(Polygon(quad, closed=True, fill=False, edgecolor=KEPT_COLOUR, linewidth=2))
    for number, (cx, cy) in enumerate(quad, start=1):
        left.plot(cx, cy, "o", color=KEPT_COLOUR, markersize=6)
        left.annotate(str(number), (cx, cy), xytext=(4, 4), textcoords="offset points",
                      color="white", fontsize=9, fontweight="bold",
                      bbox={"facecolor": KEPT_COLOUR, "edgecolor": "none", "pad": 1})
    crop = candidate.crop
    _show(right, crop, f"Warped upright: {crop.shape[1]} x {crop.shape[0]} pixels")
    figure.suptitle(f"The plate followed (score {candidate.score:.2f}, found by "
                    f"{candidate.method}), cut out with a perspective warp")
    return figure


# --- segmented ----------------------------------------------------------------------------


@functools.cache
def _recognizer(backend: str):
    """The backend's recognizer, loaded once per process (ONNX Runtime, no TensorFlow)."""
    if backend == "segmented":
        from platechar.backends.segmented import load
    else:
        from platechar.backends.holistic import load
    return load()


def _no_plate_section(title: str, name: str) -> DemoSection:
    message = ("No plate was found, so there is nothing to read.",
               "If the image is a plate crop already, pass crop=True (platechar demo --crop).")
    return DemoSection(title, "", {name: _message_figure("No plate to read", message)},
                       "No plate was found, so there is nothing to read.")


def _segmented_section(trace: PlateTrace) -> DemoSection:
    title = "Segmented reading: cut into characters, classify each"
    if trace.crop is None:
        return _no_plate_section(title, "segmented_text")
    from segmentation import segment_characters
    from segmentation.segmenter import GOOD_ENOUGH

    crop = trace.crop
    reading = _recognizer("segmented").recognize(crop)
    segmentation = segment_characters(crop)  # exactly what the reader did
    stages: dict = {}
    segment_characters(crop, stages=stages)  # every binarisation, for the pictures
    early_stop = segmentation.score >= GOOD_ENOUGH
    figures = {
        "binarisations": _binarisations_figure(stages, segmentation, early_stop),
        "character_boxes": _character_boxes_figure(crop, stages, segmentation),
        "character_classes": _character_classes_figure(segmentation, reading),
        "segmented_text": _reading_figure(crop, reading, "segmented"),
    }
    intro = ("The classical pipeline's stages 2 and 3: binarise the plate, find its "
             "characters as connected blobs of ink, then classify each cut-out character "
             "with a small convolutional network (36 classes, 0-9 and A-Z).")
    return DemoSection(title, intro, figures, _summary("segmented", reading))


def _summary(backend: str, reading) -> str:
    if not reading.text:
        return f"The {backend} reader read nothing from the plate."
    return (f"The {backend} reader read '{reading.text}' (confidence "
            f"{reading.confidence:.2f}).")


@_styled
def _binarisations_figure(stages: dict, segmentation, early_stop: bool):
    from segmentation.segmenter import GOOD_ENOUGH

    names = [key[len("threshold_"):] for key in stages if key.startswith("threshold_")]
    chosen = segmentation.binarisation
    tried = names[:names.index(chosen) + 1] if early_stop and chosen in names else names
    polarities = list(dict.fromkeys(name.split("-")[-1] for name in names)) or ["dark"]
    methods = list(dict.fromkeys(name.rsplit("-", 1)[0] for name in names)) or ["otsu"]
    gray = stages["gray"]
    cols = max(1, len(methods))
    panel_width = (WIDTH - 0.5) / cols
    row_height = panel_width * gray.shape[0] / gray.shape[1] + 0.4
    figure = _figure(WIDTH, float(np.clip(row_height * (1 + len(polarities)) + 1.1, 4.0, 11.0)))
    mosaic = [["gray"] * cols] + [[f"{m}-{p}" for m in methods] for p in polarities]
    axes = figure.subplot_mosaic(mosaic, empty_sentinel=None)
    _show(axes["gray"], gray, f"The plate, gray and contrast-enhanced, {gray.shape[0]} px high "
          "(the working size)", pixel_axes=False)
    for name, ax in axes.items():
        if name == "gray":
            continue
        key = f"threshold_{name}"
        if key not in stages:
            ax.axis("off")
            continue
        _show(ax, stages[key], "", pixel_axes=False)
        method, polarity = name.rsplit("-", 1)
        label = f"{method}, {'dark' if polarity == 'dark' else 'light'} ink"
        if name == chosen:
            ax.set_title(f"{label}: chosen ({segmentation.score:.2f})",
                         color=KEPT_COLOUR, fontweight="bold")
            for spine in ax.spines.values():
                spine.set_edgecolor(KEPT_COLOUR)
                spine.set_linewidth(4)
        elif name not in tried:
            ax.set_title(f"{label}: not needed", color="0.45")
        else:
            ax.set_title(label)
    if not chosen:
        note = "No binarisation gave a plausible row of characters."
    elif early_stop and len(tried) < len(names):
        note = (f"The reader stops at the first binarisation scoring {GOOD_ENOUGH:.2f} or more "
                f"(this one scored {segmentation.score:.2f}); the ones after it are shown but "
                "were not needed.")
    else:
        note = "Every binarisation was tried; the best-scoring one was kept."
    figure.suptitle("Binarisations: ink (white) and background (black)")
    figure.supxlabel(note, fontsize=10)
    return figure


@_styled
def _character_boxes_figure(crop: np.ndarray, stages: dict, segmentation):
    from matplotlib.patches import Rectangle

    chosen_key = f"threshold_{segmentation.binarisation}"
    ink = stages.get(chosen_key, stages["gray"])
    scale = ink.shape[0] / crop.shape[0]
    reasons = [why for _, why in segmentation.rejected]
    legend_lines = [f"{why}: {REJECT_REASONS.get(why, why)}" for why in dict.fromkeys(reasons)]
    image_height = (WIDTH / 2 - 0.4) * crop.shape[0] / crop.shape[1]
    legend_height = 0.2 + 0.17 * (1 + max(1, len(legend_lines)))
    figure = _figure(WIDTH, float(np.clip(image_height + legend_height + 0.9, 3.0, 8.0)))
    grid = figure.add_gridspec(2, 2, height_ratios=[max(image_height, 1.0), legend_height])
    ink_ax, crop_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    legend_ax = figure.add_subplot(grid[1, :])
    _show(ink_ax, ink, f"On the chosen binarisation ({segmentation.binarisation or 'none'})",
          pixel_axes=False)
    _show(crop_ax, crop, f"On the crop: {len(segmentation)} kept, "
          f"{len(segmentation.rejected)} rejected", pixel_axes=False)
    labelled: list[tuple[str, float, float]] = []
    for ax, factor in ((ink_ax, scale), (crop_ax, 1.0)):
        for box, why in segmentation.rejected:
            x, y, w, h = (v * factor for v in box)
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False,
                                   edgecolor=REJECTED_COLOUR, linewidth=1.2, linestyle="--"))
            crowded = any(why == other and abs(x - ox) < 0.12 * crop.shape[1]
                          and abs(y + h - oy) < 0.2 * crop.shape[0]
                          for other, ox, oy in labelled)
            if ax is crop_ax and not crowded:  # the reason under the box (once per cluster)
                labelled.append((why, x, y + h))
                low = y + h > 0.8 * crop.shape[0]
                ax.text(x, y + h - 1 if low else y + h, why, color="white", fontsize=7,
                        va="bottom" if low else "top",
                        bbox={"facecolor": REJECTED_COLOUR, "edgecolor": "none", "pad": 0.8,
                              "alpha": 0.85})
        for number, (x, y, w, h) in enumerate(segmentation.boxes.tolist(), start=1):
            x, y, w, h = (v * factor for v in (x, y, w, h))
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False,
                                   edgecolor=KEPT_COLOUR, linewidth=2))
            if ax is crop_ax:
                ax.text(x + w / 2, y - 1, str(number), color="white", fontsize=8, ha="center",
                        va="bottom", fontweight="bold",
                        bbox={"facecolor": KEPT_COLOUR, "edgecolor": "none", "pad": 0.8})
    legend_ax.axis("off")
    lines = ["Green: kept as characters, numbered in reading order.   Red, dashed: rejected:"]
    lines += [f"  - {line}" for line in legend_lines] or ["  (nothing was rejected)"]
    legend_ax.text(0, 1, "\n".join(lines), va="top", ha="left", fontsize=10,
                   transform=legend_ax.transAxes)
    figure.suptitle("Connected blobs of ink, judged by their shape")
    return figure


@_styled
def _character_classes_figure(segmentation, reading):
    count = len(segmentation)
    if count == 0:
        return _message_figure("No characters to classify",
                               ("The segmenter found no row of characters in this crop.",))
    width = float(np.clip(1.35 * count + 0.8, 6.0, 16.0))
    figure = _figure(width, 4.6)
    axes = figure.subplots(2, count, squeeze=False, height_ratios=[1.2, 1.0])
    for index, (image, char) in enumerate(zip(segmentation.images, reading.chars,
                                              strict=True)):
        image_ax, bars_ax = axes[0, index], axes[1, index]
        _show(image_ax, image, f"#{index + 1}: {char.text}", pixel_axes=False)
        options = [(char.text, char.confidence), *char.alternatives][:3]
        labels = [c for c, _ in options][::-1]
        probabilities = [p for _, p in options][::-1]
        colours = ["0.6"] * (len(options) - 1) + [KEPT_COLOUR]
        bars_ax.barh(range(len(options)), probabilities, color=colours)
        bars_ax.set_yticks(range(len(options)), labels, fontsize=11, fontweight="bold")
        bars_ax.set_xlim(0, 1)
        bars_ax.set_xticks([0, 0.5, 1], ["0", ".5", "1"])
        for y, p in enumerate(probabilities):
            bars_ax.text(min(p, 0.55) + 0.03, y, f"{p:.2f}", va="center", fontsize=8)
        if index == 0:
            bars_ax.set_xlabel("probability")
            bars_ax.set_ylabel("top 3 classes")
    figure.suptitle("Each cut-out (32 x 32, white on black) and its three likeliest classes")
    return figure


@_styled
def _reading_figure(crop: np.ndarray, reading, backend: str, notes: tuple[str, ...] = ()):
    from matplotlib.patches import Rectangle

    image_width = 6.0
    image_height = image_width * crop.shape[0] / crop.shape[1]
    text_height = 1.1 + 0.25 * len(notes)
    figure = _figure(8.0, float(np.clip(image_height + text_height + 0.4, 3.0, 7.0)))
    image_ax, text_ax = figure.subplots(2, 1, height_ratios=[image_height, text_height])
    _show(image_ax, crop, "", pixel_axes=False)
    for x, y, w, h in (c.box for c in reading.chars if c.box is not None):
        # segmented: the character's box; holistic: the stripe of columns that read it
        image_ax.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False,
                                     edgecolor=KEPT_COLOUR, linewidth=1.5,
                                     linestyle="-" if backend == "segmented" else ":"))
    text_ax.axis("off")
    shown = reading.text or "(nothing read)"
    text_ax.text(0.5, 1.0, shown, ha="center", va="top", fontsize=30, fontweight="bold",
                 family="monospace", transform=text_ax.transAxes,
                 color="black" if reading.text else REJECTED_COLOUR)
    details = [f"confidence {reading.confidence:.2f} (the product of the characters')",
               *notes]
    text_ax.text(0.5, 0.0, "\n".join(details), ha="center", va="bottom", fontsize=11,
                 transform=text_ax.transAxes)
    figure.suptitle(f"The {backend} reading")
    return figure


@_styled
def _message_figure(title: str, lines: tuple[str, ...]):
    figure = _figure(8.0, 2.2)
    ax = figure.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=12,
            transform=ax.transAxes)
    figure.suptitle(title)
    return figure


# --- holistic -----------------------------------------------------------------------------


def _holistic_section(trace: PlateTrace) -> DemoSection:
    title = "Holistic reading: a CRNN reads the whole plate, CTC decodes it"
    if trace.crop is None:
        return _no_plate_section(title, "holistic_text")
    from classifier.crnn import greedy_decode, plate_confidence, preprocess

    recognizer = _recognizer("holistic")
    crop = trace.crop
    reading = recognizer.recognize(crop)
    network_input = preprocess(crop, recognizer.height, recognizer.width)[..., 0]
    probs = recognizer.probabilities([crop])[0]
    whole = greedy_decode(probs)
    whole_text = "".join(c.char for c in whole)
    figures = {
        "network_input": _network_input_figure(crop, network_input, probs.shape[0]),
        "ctc_probabilities": _ctc_figure(network_input, probs),
        "greedy_decoding": _greedy_figure(probs),
    }
    notes = []
    if reading.text != whole_text:
        figures["two_lines"] = _two_lines_figure(crop, recognizer, whole_text,
                                                 plate_confidence(whole), reading)
        notes.append(f"read as two lines (the whole crop read '{whole_text or '-'}', "
                     f"confidence {plate_confidence(whole):.2f})")
    if reading.chars:
        notes.append("dotted: the stripe of columns that produced each character")
    beams = recognizer.candidates(crop, top=3)
    if beams:
        notes.append("beam search, likeliest texts of the whole crop: " + ",  ".join(
            f"'{text}' {p:.2f}" for text, p in beams))
    figures["holistic_text"] = _reading_figure(crop, reading, "holistic", tuple(notes))
    intro = ("No segmentation: a CRNN (convolutions, then bidirectional LSTMs) reads the "
             "whole plate as a sequence of columns, and CTC decoding turns its per-column "
             "probabilities into text. It was trained on whole plates and their texts only, "
             "never on character boxes.")
    return DemoSection(title, intro, figures, _summary("holistic", reading))


def _column_labels(steps: int) -> list[str]:
    return [str(t) if t % 2 == 0 else "" for t in range(steps)]


@_styled
def _network_input_figure(crop: np.ndarray, network_input: np.ndarray, steps: int):
    figure = _figure(WIDTH, 5.6)
    crop_ax, input_ax = figure.subplots(2, 1, height_ratios=[1.0, 1.0])
    crop_ax.imshow(_rgb(crop), aspect="equal")
    crop_ax.set_title(f"The plate crop: {crop.shape[1]} x {crop.shape[0]} pixels")
    crop_ax.set_xticks([])
    crop_ax.set_yticks([])
    height, width = network_input.shape
    shown = input_ax.imshow(network_input, cmap="gray", aspect="equal", interpolation="nearest")
    stripe = width / steps
    for t in range(1, steps):
        input_ax.axvline(t * stripe - 0.5, color="#3fa7d6", linewidth=0.6, alpha=0.6)
    input_ax.set_title(f"What the network sees: gray, {width} x {height}, standardised; blue "
                       f"lines split it into the {steps} columns it outputs")
    input_ax.set_xlabel("x (pixels of the network input)")
    input_ax.set_ylabel("y")
    colorbar = figure.colorbar(shown, ax=input_ax, shrink=0.9, pad=0.01)
    colorbar.set_label("standardised\nbrightness")
    return figure


@_styled
def _ctc_figure(network_input: np.ndarray, probs: np.ndarray):
    from classifier.crnn import ALPHABET, BLANK

    steps, classes = probs.shape
    figure = _figure(WIDTH, 9.0)
    image_ax, map_ax = figure.subplots(2, 1, height_ratios=[1.0, 5.0], sharex=True)
    image_ax.imshow(network_input, cmap="gray", aspect="auto", interpolation="nearest",
                    extent=(-0.5, steps - 0.5, network_input.shape[0] - 0.5, -0.5))
    image_ax.set_title("The network input, stretched so each time step sits above its column")
    image_ax.set_yticks([])
    shown = map_ax.imshow(probs.T, aspect="auto", cmap="magma", vmin=0.0, vmax=1.0,
                          interpolation="nearest")
    labels = list(ALPHABET) + ["blank"]
    map_ax.set_yticks(range(classes), labels[:classes], fontsize=8)
    map_ax.get_yticklabels()[BLANK].set_fontweight("bold")
    best = probs.argmax(axis=1)
    map_ax.scatter(range(steps), best, s=18, facecolors="none", edgecolors="#3fd67a",
                   linewidths=1.2, label="best class of the column (the greedy path)")
    map_ax.set_xticks(range(steps), _column_labels(steps))
    map_ax.set_xlabel("time step (column of the input, left to right)")
    map_ax.set_ylabel("class (36 characters + CTC blank)")
    map_ax.legend(loc="upper right", framealpha=0.9)
    colorbar = figure.colorbar(shown, ax=[image_ax, map_ax], shrink=0.6, pad=0.01)
    colorbar.set_label("probability")
    figure.suptitle("The CRNN's output: a probability for every class at every time step")
    return figure


def collapse_steps(best: list[str]) -> tuple[list[tuple[str, int, int]], str]:
    """Greedy CTC decoding in its two steps, for showing: ``best`` holds the best class of
    each time step (``"-"`` for the blank). Returns the runs of equal classes as
    ``(class, first step, last step)`` (repeats merged) and the text left once the blanks
    are dropped."""
    runs: list[tuple[str, int, int]] = []
    for step, label in enumerate(best):
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1], step)
        else:
            runs.append((label, step, step))
    return runs, "".join(label for label, _, _ in runs if label != "-")


@_styled
def _greedy_figure(probs: np.ndarray):
    from matplotlib.patches import Rectangle

    from classifier.crnn import ALPHABET, BLANK

    steps = probs.shape[0]
    best_index = probs.argmax(axis=1)
    best = ["-" if i == BLANK else ALPHABET[i] for i in best_index]
    runs, collapsed = collapse_steps(best)
    figure = _figure(WIDTH, 3.8)
    ax = figure.add_subplot()
    rows = [(2, "1. best class of\neach time step"), (1, "2. merge repeats"),
            (0, "3. drop blanks")]

    def cell(x0: float, x1: float, row: int, label: str, shade: float) -> None:
        blank = label == "-"
        colour = "0.88" if blank else (0.55 - 0.4 * shade, 0.85 - 0.2 * shade, 0.55 - 0.4 * shade)
        ax.add_patch(Rectangle((x0 - 0.5 + 0.04, row + 0.08), x1 - x0 + 1 - 0.08, 0.84,
                               facecolor=colour, edgecolor="0.5", linewidth=0.6))
        ax.text((x0 + x1) / 2, row + 0.5, label, ha="center", va="center",
                fontsize=10 if blank else 12, fontweight="bold", family="monospace",
                color="0.45" if blank else "black")

    for step, label in enumerate(best):
        cell(step, step, 2, label, float(probs[step, best_index[step]]))
    for label, first, last in runs:
        cell(first, last, 1, label, float(probs[first:last + 1].max(axis=0)[best_index[first]]))
        if label != "-":
            cell(first, last, 0, label, 1.0)
    ax.set_xlim(-0.6, steps - 0.4)
    ax.set_ylim(0, 3)
    ax.set_yticks([row + 0.5 for row, _ in rows], [name for _, name in rows])
    ax.set_xticks(range(steps), _column_labels(steps))
    ax.set_xlabel("time step  ('-' is the CTC blank; greener cells are surer)")
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    figure.suptitle(f"Greedy CTC decoding: {steps} time steps become "
                    f"'{collapsed or '(nothing)'}'")
    return figure


@_styled
def _two_lines_figure(crop: np.ndarray, recognizer, whole_text: str, whole_confidence: float,
                      reading):
    from platechar.backends.holistic import LINE_CUT

    h = crop.shape[0]
    top_end, bottom_start = int(round(LINE_CUT[0] * h)), int(round(LINE_CUT[1] * h))
    halves = [("top line", crop[:top_end]), ("bottom line", crop[bottom_start:])]
    halves_read = [recognizer.recognize_batch([half], two_line=False)[0] for _, half in halves]
    figure = _figure(WIDTH, 3.6)
    axes = figure.subplots(1, 3, width_ratios=[1.0, 1.0, 1.0])
    _show(axes[0], crop, f"Whole crop: '{whole_text or '-'}' ({whole_confidence:.2f})",
          pixel_axes=False)
    for ax, (name, half), half_reading in zip(axes[1:], halves, halves_read, strict=True):
        _show(ax, half, f"{name}: '{half_reading.text or '-'}' "
              f"({half_reading.confidence:.2f})", pixel_axes=False)
    figure.suptitle(f"Read as two lines: '{reading.text}' (confidence "
                    f"{reading.confidence:.2f}, the product of the halves')")
    return figure


# --- training curves ----------------------------------------------------------------------

CURVE_LABELS = {
    "loss": "training loss",
    "val_loss": "validation loss",
    "accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "char_acc": "training character accuracy",
    "val_char_acc": "validation character accuracy",
    "seq_acc": "training plate accuracy (whole text exact)",
    "val_seq_acc": "validation plate accuracy (whole text exact)",
    "learning_rate": "learning rate",
    "lr": "learning rate",
}


def _log_path(run_dir) -> Path:
    path = Path(run_dir)
    if path.is_file() and path.suffix == ".csv":
        return path
    if not path.exists():
        raise PlatecharError(f"'{run_dir}' does not exist: give a training run folder "
                             "(e.g. runs/chars-20261122-043954) or its log.csv")
    if not path.is_dir():
        raise PlatecharError(f"'{run_dir}' is neither a run folder nor a .csv log")
    log = path / "log.csv"
    if not log.is_file():
        raise PlatecharError(f"'{run_dir}' has no log.csv: is it a run folder made by "
                             "'platechar train chars' or 'platechar train crnn'?")
    return log


def read_training_log(run_dir) -> dict[str, list[float]]:
    """The columns of a run's ``log.csv`` (Keras' CSVLogger: one row per epoch) as
    ``{column: values}``; ``run_dir`` may also be the CSV file itself. Empty cells
    become NaN."""
    log = _log_path(run_dir)
    try:
        with open(log, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PlatecharError(f"cannot read '{log}': {exc}") from None
    if not rows:
        raise PlatecharError(f"'{log}' holds no epochs yet (only a header, or nothing)")
    if "epoch" not in rows[0]:
        raise PlatecharError(f"'{log}' is not a Keras training log: it has no 'epoch' column")
    columns: dict[str, list[float]] = {}
    for name in rows[0]:
        try:
            columns[name] = [float(row[name]) if row[name] not in ("", None) else math.nan
                             for row in rows]
        except (TypeError, ValueError):
            continue  # a column that is not numbers is not a curve
    return columns


@_styled
def training_curves(run_dir):
    """Loss and accuracy per epoch, training and validation, from a run folder.

    ``run_dir``: a folder made by ``platechar train chars|crnn`` (holding ``log.csv``,
    written by Keras' CSVLogger), or the CSV itself. Panels: every loss column, every
    accuracy column and, when it changed during the run, the learning rate. A dotted
    line marks the best validation epoch. Raises :class:`PlatecharError` for a folder
    without a usable ``log.csv``.
    """
    columns = read_training_log(run_dir)
    name = _log_path(run_dir).parent.name
    epochs = np.asarray(columns.pop("epoch")) + 1
    losses = [c for c in columns if "loss" in c]
    accuracies = [c for c in columns if "acc" in c]
    rates = [c for c in columns if c in ("learning_rate", "lr")
             and len(set(columns[c])) > 1]
    panels = [(title, names, label) for title, names, label in (
        ("Loss (lower is better)", losses, "loss"),
        ("Accuracy (higher is better)", accuracies, "accuracy (0..1)"),
        ("Learning rate", rates, "learning rate (log scale)")) if names]
    if not panels:
        raise PlatecharError(f"the log of '{run_dir}' has no loss or accuracy column")
    figure = _figure(WIDTH, 4.2)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    best_epoch = _best_epoch(columns, epochs)
    marker = "o" if len(epochs) <= 40 else None
    for ax, (title, names, label) in zip(axes, panels, strict=True):
        for column in names:
            values = np.asarray(columns[column])
            style = "--" if column.startswith("val_") else "-"
            ax.plot(epochs, values, style, marker=marker, markersize=3,
                    label=CURVE_LABELS.get(column, column))
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        if label.startswith("learning"):
            ax.set_yscale("log")
        elif label == "accuracy (0..1)":
            ax.set_ylim(-0.02, 1.02)
        elif _spans_decades(columns, names):
            ax.set_yscale("log")
            ax.set_ylabel("loss (log scale)")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="0.4", linestyle=":", linewidth=1.2,
                       label=f"best validation epoch ({best_epoch})")
        ax.legend()
        ax.grid(alpha=0.3)
        if len(epochs) <= 12:
            ax.set_xticks(epochs)
    figure.suptitle(f"Training run '{name}': {len(epochs)} epoch"
                    f"{'s' if len(epochs) != 1 else ''}")
    return figure


def _best_epoch(columns: dict, epochs: np.ndarray) -> int | None:
    for column, better in (("val_accuracy", np.nanargmax), ("val_seq_acc", np.nanargmax),
                           ("val_loss", np.nanargmin)):
        values = np.asarray(columns.get(column, []), float)
        if values.size and np.isfinite(values).any():
            return int(epochs[int(better(values))])
    return None


def _spans_decades(columns: dict, names: list[str]) -> bool:
    values = np.concatenate([np.asarray(columns[c], float) for c in names])
    values = values[np.isfinite(values) & (values > 0)]
    return bool(values.size) and values.max() / values.min() > 30


# --- writing ------------------------------------------------------------------------------


def check_output_path(out) -> Path:
    """``out`` as a Path, once it is known to be writable as ``.html`` or ``.png``:
    anything else is a :class:`PlatecharError` before any work is done."""
    path = Path(out)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise PlatecharError(f"cannot write '{out}': the name must end in .html (a web page "
                             "with every figure and its explanation) or .png (one tall "
                             "image of every figure)")
    if path.is_dir():
        raise PlatecharError(f"cannot write '{out}': it is a folder")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise PlatecharError(f"cannot write '{out}': '{parent}' is not a writable folder")
    return path


def figure_png(figure) -> bytes:
    """A figure as PNG bytes, at :data:`DPI`."""
    import io

    buffer = io.BytesIO()
    # Light compression: figures are mostly flat colour, and the demo should stay fast.
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                   pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def write_figures(figures: Mapping, out, *, title: str = "platechar figures") -> Path:
    """Write ``{name: Figure}`` (e.g. from :func:`segmented_figures`) as a web page or one
    tall PNG, chosen by ``out``'s suffix (see :func:`write_demo`)."""
    return write_sections([DemoSection(title, "", dict(figures))], out, title=title)


def write_sections(sections: list[DemoSection], out, *, title: str = "platechar demo") -> Path:
    """Write demo sections to ``out`` (``.html`` or ``.png``); returns the path."""
    path = check_output_path(out)
    if OUTPUT_SUFFIXES[path.suffix.lower()] == "html":
        data = _html_page(sections, title).encode("utf-8")
    else:
        data = _tall_png(sections)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise PlatecharError(f"cannot write '{out}': {exc.strerror or exc}") from None
    return path


def _html_page(sections: list[DemoSection], title: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;"
        "padding:0 1em;line-height:1.45;color:#222}img{max-width:100%;height:auto;"
        "border:1px solid #ddd}h2{border-bottom:2px solid #1a9e3a;padding-bottom:.2em;"
        "margin-top:2em}.summary{font-weight:bold}figure{margin:0 0 1.5em 0}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Made by <code>platechar demo</code>: each figure is one stage, in the order the "
        "pipeline runs, with what it does and why.</p>",
    ]
    summaries = [s.summary for s in sections if s.summary]
    if summaries:
        parts.append("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in summaries)
                     + "</ul>")
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.intro:
            parts.append(f"<p>{html.escape(section.intro)}</p>")
        for name, figure in section.figures.items():
            heading, explanation = STAGE_NOTES.get(name, (name.replace("_", " ").capitalize(),
                                                         ""))
            encoded = base64.b64encode(figure_png(figure)).decode("ascii")
            parts.append(f'<section id="{html.escape(name)}"><h3>{html.escape(heading)}</h3>')
            if explanation:
                parts.append(f"<p>{html.escape(explanation)}</p>")
            parts.append(f'<figure><img src="data:image/png;base64,{encoded}" '
                         f'alt="{html.escape(heading)}"></figure></section>')
        if section.summary:
            parts.append(f'<p class="summary">{html.escape(section.summary)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


@_styled
def _banner(text: str):
    figure = _figure(WIDTH, 0.6, layout=None)
    figure.text(0.01, 0.5, text, fontsize=16, fontweight="bold", va="center",
                color=KEPT_COLOUR)
    return figure


def _tall_png(sections: list[DemoSection]) -> bytes:
    """Every figure, top to bottom, each section after a banner with its title."""
    import cv2

    images = []
    for section in sections:
        images.append(_pixels(_banner(section.title)))
        images += [_pixels(figure) for figure in section.figures.values()]
    width = max(image.shape[1] for image in images)
    gap = np.full((12, width, 3), 255, np.uint8)
    rows = []
    for image in images:
        pad = width - image.shape[1]
        rows.append(cv2.copyMakeBorder(image, 0, 0, pad // 2, pad - pad // 2,
                                       cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        rows.append(gap)
    ok, encoded = cv2.imencode(".png", np.vstack(rows[:-1]))
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
        raise PlatecharError("OpenCV could not encode the demo image")
    return encoded.tobytes()


def _pixels(figure) -> np.ndarray:
    """A figure drawn as a BGR array (OpenCV's order), without a PNG round trip."""
    figure.set_facecolor("white")
    figure.set_dpi(DPI)
    figure.canvas.draw()
    rgba = np.asarray(figure.canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[..., 2::-1])


def _check_backend(backend: str) -> None:
    if backend not in BACKEND_CHOICES:
        raise PlatecharError(f"unknown backend {backend!r}; choose one of "
                             f"{', '.join(BACKEND_CHOICES)}")
