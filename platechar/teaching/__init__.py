"""Teaching figures: every stage of both pipelines, one matplotlib figure per stage.

Open one photo and show how a plate is found, cut into characters and read, and how a
CRNN reads the same plate without cutting it::

    from platechar import demo   # the public face of this package

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

One module per part of the story, so each can be read on its own:
:mod:`~platechar.teaching.detection` (finding the plate),
:mod:`~platechar.teaching.segmented` (binarisations, blobs, the character CNN),
:mod:`~platechar.teaching.holistic` (the CRNN's input, CTC probabilities and decoding),
:mod:`~platechar.teaching.training` (training curves), :mod:`~platechar.teaching.output`
(the web page and the tall PNG), :mod:`~platechar.teaching.drawing` (matplotlib, one
style) and :mod:`~platechar.teaching.notes` (the words).
"""

from __future__ import annotations

import os
from pathlib import Path

from platechar.errors import PlatecharError
from platechar.teaching.detection import (
    PlateTrace,
    as_trace,
    detection_section,
    detection_stage_figures,
    trace_plate,
)
from platechar.teaching.drawing import DPI, WIDTH, figure_png
from platechar.teaching.holistic import collapse_steps, holistic_section
from platechar.teaching.notes import REJECT_REASONS, STAGE_NOTES
from platechar.teaching.output import check_output_path, write_figures, write_sections
from platechar.teaching.sections import DemoSection
from platechar.teaching.segmented import segmented_section
from platechar.teaching.training import read_training_log, training_curves, training_section

BACKEND_CHOICES = ("segmented", "holistic", "both")


def detection_figures(image, *, crop: bool = False, candidate: int = 1) -> dict:
    """Stage 1 of both pipelines: how the plate is found (see :func:`trace_plate`).

    Figures: ``input``, ``grayscale``, ``edges_and_morphology``, ``candidates`` and
    ``chosen_plate`` (when a plate was found); only ``input`` for a crop.
    """
    return detection_stage_figures(as_trace(image, crop, candidate))


def segmented_figures(image, *, crop: bool = False, candidate: int = 1,
                      model: str | None = None) -> dict:
    """The classical pipeline, stage by stage: find the plate, cut it into characters,
    classify each one.

    ``image``: anything :func:`platechar.load_image` accepts, or a :class:`PlateTrace`.
    Returns ``{name: Figure}`` in order: the detection figures (see
    :func:`detection_figures`), then ``binarisations``, ``character_boxes``,
    ``character_classes`` and ``segmented_text``. When no plate is found, the detection
    figures are followed by ``segmented_text`` saying so. ``model``: a character CNN's
    ``.onnx`` to read with instead of the shipped one (see :class:`platechar.Reader`).
    """
    trace = as_trace(image, crop, candidate)
    return {**detection_stage_figures(trace), **segmented_section(trace, model).figures}


def holistic_figures(image, *, crop: bool = False, candidate: int = 1,
                     model: str | None = None) -> dict:
    """The holistic pipeline, stage by stage: find the plate, then let the CRNN read it
    whole and decode its output with CTC.

    Returns ``{name: Figure}``: the detection figures, then ``network_input``,
    ``ctc_probabilities``, ``greedy_decoding``, ``two_lines`` (only when the plate was read
    as two lines) and ``holistic_text``. ``model``: a CRNN's ``.onnx`` to read with
    instead of the shipped one.
    """
    trace = as_trace(image, crop, candidate)
    return {**detection_stage_figures(trace), **holistic_section(trace, model).figures}


def demo_sections(image, *, backend: str = "both", crop: bool = False,
                  candidate: int = 1, models: dict | None = None) -> list[DemoSection]:
    """The demo of one image as sections: finding the plate, then the segmented and/or
    holistic reading (``backend``: ``"segmented"``, ``"holistic"`` or ``"both"``).
    Detection runs once, however many readers are shown. ``models`` maps a backend to the
    ``.onnx`` it reads with instead of its shipped model."""
    check_backend(backend)
    models = dict(models or {})
    shown = ("segmented", "holistic") if backend == "both" else (backend,)
    unused = sorted(set(models) - set(shown))
    if unused:
        raise PlatecharError(f"a model was given for {', '.join(map(repr, unused))}, whose "
                             f"reading is not shown (backend {backend!r})")
    trace = as_trace(image, crop, candidate)
    sections = [detection_section(trace)]
    if "segmented" in shown:
        sections.append(segmented_section(trace, models.get("segmented")))
    if "holistic" in shown:
        sections.append(holistic_section(trace, models.get("holistic")))
    return sections


def write_demo(image, out, *, backend: str = "both", crop: bool = False, candidate: int = 1,
               training_run=None, models: dict | None = None) -> Path:
    """Write the demo of ``image`` to ``out``: a self-contained web page (``.html``, figures
    embedded, a heading and explanation per stage) or one tall PNG of every figure, top to
    bottom (``.png``). ``training_run`` adds the curves of a training run folder;
    ``models`` as for :func:`demo_sections`. ``image`` may be None when only
    ``training_run`` is given. Returns the path written.
    """
    out = check_output_path(out)
    check_backend(backend)
    if image is None and training_run is None:
        raise PlatecharError("nothing to show: give an image, a training run folder, or both")
    sections = [] if image is None else demo_sections(image, backend=backend, crop=crop,
                                                      candidate=candidate, models=models)
    title = "platechar demo"
    if isinstance(image, (str, os.PathLike)):
        title += f": {Path(image).name}"
    if training_run is not None:
        sections.append(training_section(training_run))
    return write_sections(sections, out, title=title)


def check_backend(backend: str) -> None:
    if backend not in BACKEND_CHOICES:
        raise PlatecharError(f"unknown backend {backend!r}; choose one of "
                             f"{', '.join(BACKEND_CHOICES)}")


__all__ = [
    "BACKEND_CHOICES",
    "DPI",
    "WIDTH",
    "STAGE_NOTES",
    "REJECT_REASONS",
    "DemoSection",
    "PlateTrace",
    "trace_plate",
    "detection_figures",
    "segmented_figures",
    "holistic_figures",
    "demo_sections",
    "write_demo",
    "training_curves",
    "training_section",
    "read_training_log",
    "collapse_steps",
    "check_output_path",
    "figure_png",
    "write_figures",
    "write_sections",
]
