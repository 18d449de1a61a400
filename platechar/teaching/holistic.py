"""The holistic reader, shown: the CRNN's input, its per-column probabilities (CTC's
time steps), greedy decoding step by step, and the two-line retry.

Everything here runs through ONNX Runtime (:mod:`platechar.backends.holistic`); the
numbers drawn are the ones the reader uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from platechar.teaching.drawing import (
    WIDTH,
    new_figure,
    reading_figure,
    rgb,
    show_image,
    styled,
)
from platechar.teaching.sections import (
    DemoSection,
    model_note,
    no_plate_section,
    reading_summary,
    recognizer,
)

if TYPE_CHECKING:
    from platechar.teaching.detection import PlateTrace


def holistic_section(trace: PlateTrace, model: str | None = None) -> DemoSection:
    """The holistic reader's figures for the crop of ``trace`` (or a "no plate" note),
    read with the shipped CRNN or the one at ``model``."""
    title = "Holistic reading: a CRNN reads the whole plate, CTC decodes it"
    if trace.crop is None:
        return no_plate_section(title, "holistic_text")
    from classifier.crnn import greedy_decode, plate_confidence, preprocess

    crnn = recognizer("holistic", model)
    crop = trace.crop
    reading = crnn.recognize(crop)
    network_input = preprocess(crop, crnn.height, crnn.width)[..., 0]
    probs = crnn.probabilities([crop])[0]
    whole = greedy_decode(probs)
    whole_text = "".join(c.char for c in whole)
    figures = {
        "network_input": _network_input_figure(crop, network_input, probs.shape[0]),
        "ctc_probabilities": _ctc_figure(network_input, probs),
        "greedy_decoding": _greedy_figure(probs),
    }
    notes = []
    if reading.text != whole_text:
        figures["two_lines"] = _two_lines_figure(crop, crnn, whole_text,
                                                 plate_confidence(whole), reading)
        notes.append(f"read as two lines (the whole crop read '{whole_text or '-'}', "
                     f"confidence {plate_confidence(whole):.2f})")
    if reading.chars:
        notes.append("dotted: the stripe of columns that produced each character")
    beams = crnn.candidates(crop, top=3)
    if beams:
        notes.append("beam search, likeliest texts of the whole crop: " + ",  ".join(
            f"'{text}' {p:.2f}" for text, p in beams))
    figures["holistic_text"] = reading_figure(crop, reading, "holistic", tuple(notes))
    intro = ("No segmentation: a CRNN (convolutions, then bidirectional LSTMs) reads the "
             "whole plate as a sequence of columns, and CTC decoding turns its per-column "
             "probabilities into text. It was trained on whole plates and their texts only, "
             "never on character boxes." + model_note(model))
    return DemoSection(title, intro, figures, reading_summary("holistic", reading))


def _column_labels(steps: int) -> list[str]:
    return [str(t) if t % 2 == 0 else "" for t in range(steps)]


@styled
def _network_input_figure(crop: np.ndarray, network_input: np.ndarray, steps: int):
    figure = new_figure(WIDTH, 5.6)
    crop_ax, input_ax = figure.subplots(2, 1, height_ratios=[1.0, 1.0])
    crop_ax.imshow(rgb(crop), aspect="equal")
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


@styled
def _ctc_figure(network_input: np.ndarray, probs: np.ndarray):
    from classifier.crnn import ALPHABET, BLANK

    steps, classes = probs.shape
    figure = new_figure(WIDTH, 9.0)
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


@styled
def _greedy_figure(probs: np.ndarray):
    from matplotlib.patches import Rectangle

    from classifier.crnn import ALPHABET, BLANK

    steps = probs.shape[0]
    best_index = probs.argmax(axis=1)
    best = ["-" if i == BLANK else ALPHABET[i] for i in best_index]
    runs, collapsed = collapse_steps(best)
    figure = new_figure(WIDTH, 3.8)
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


@styled
def _two_lines_figure(crop: np.ndarray, recognizer, whole_text: str, whole_confidence: float,
                      reading):
    from platechar.backends.holistic import LINE_CUT

    h = crop.shape[0]
    top_end, bottom_start = int(round(LINE_CUT[0] * h)), int(round(LINE_CUT[1] * h))
    halves = [("top line", crop[:top_end]), ("bottom line", crop[bottom_start:])]
    halves_read = [recognizer.recognize_batch([half], two_line=False)[0] for _, half in halves]
    figure = new_figure(WIDTH, 3.6)
    axes = figure.subplots(1, 3, width_ratios=[1.0, 1.0, 1.0])
    show_image(axes[0], crop, f"Whole crop: '{whole_text or '-'}' ({whole_confidence:.2f})",
               pixel_axes=False)
    for ax, (name, half), half_reading in zip(axes[1:], halves, halves_read, strict=True):
        show_image(ax, half, f"{name}: '{half_reading.text or '-'}' "
                   f"({half_reading.confidence:.2f})", pixel_axes=False)
    figure.suptitle(f"Read as two lines: '{reading.text}' (confidence "
                    f"{reading.confidence:.2f}, the product of the halves')")
    return figure
