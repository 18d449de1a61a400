"""Stages 2 and 3 of the classical pipeline, shown: binarise the plate, keep the
character-shaped blobs of ink, classify each cut-out with the character CNN.

The figures show exactly what the segmented reader does: ``segment_characters`` stops
at the first binarisation that is good enough, and asking it for its stage images
changes nothing but adds the pictures of the binarisations it did not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from platechar.teaching.drawing import (
    KEPT_COLOUR,
    REJECTED_COLOUR,
    WIDTH,
    message_figure,
    new_figure,
    reading_figure,
    show_image,
    styled,
)
from platechar.teaching.notes import REJECT_REASONS
from platechar.teaching.sections import (
    DemoSection,
    model_note,
    no_plate_section,
    reading_summary,
    recognizer,
)

if TYPE_CHECKING:
    from platechar.teaching.detection import PlateTrace


def segmented_section(trace: PlateTrace, model: str | None = None) -> DemoSection:
    """The segmented reader's figures for the crop of ``trace`` (or a "no plate" note),
    read with the shipped character CNN or the one at ``model``."""
    title = "Segmented reading: cut into characters, classify each"
    if trace.crop is None:
        return no_plate_section(title, "segmented_text")
    from segmentation import segment_characters
    from segmentation.segmenter import GOOD_ENOUGH

    crop = trace.crop
    reader = recognizer("segmented", model)
    stages: dict = {}
    # exactly what the reader does (its recognize is these two calls); the binarisations
    # it did not need are drawn as well
    segmentation = segment_characters(crop, stages=stages, legibility=reader.legibility)
    reading = reader.read_characters(segmentation)
    # the colour pass comes after all six, only when none was good enough
    early_stop = segmentation.score >= GOOD_ENOUGH and \
        not segmentation.binarisation.startswith("colour")
    figures = {
        "binarisations": _binarisations_figure(stages, segmentation, early_stop),
        "character_boxes": _character_boxes_figure(crop, stages, segmentation),
        "character_classes": _character_classes_figure(segmentation, reading),
        "segmented_text": reading_figure(crop, reading, "segmented"),
    }
    intro = ("The classical pipeline's stages 2 and 3: binarise the plate, find its "
             "characters as connected blobs of ink, then classify each cut-out character "
             "with a small convolutional network (36 classes, 0-9 and A-Z)."
             + model_note(model))
    return DemoSection(title, intro, figures, reading_summary("segmented", reading))


@styled
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
    figure = new_figure(WIDTH, float(np.clip(row_height * (1 + len(polarities)) + 1.1, 4.0, 11.0)))
    mosaic = [["gray"] * cols] + [[f"{m}-{p}" for m in methods] for p in polarities]
    axes = figure.subplot_mosaic(mosaic, empty_sentinel=None)
    show_image(axes["gray"], gray, "The plate, gray and contrast-enhanced, "
               f"{gray.shape[0]} px high (the working size)", pixel_axes=False)
    for name, ax in axes.items():
        if name == "gray":
            continue
        key = f"threshold_{name}"
        if key not in stages:
            ax.axis("off")
            continue
        show_image(ax, stages[key], "", pixel_axes=False)
        method, polarity = name.rsplit("-", 1)
        label = f"{method}, {'dark' if polarity == 'dark' else 'light'} ink"
        if name == chosen:
            ax.set_title(f"{label}: chosen ({segmentation.score:.2f})", color=KEPT_COLOUR,
                         fontweight="bold", fontsize=9 if cols > 3 else None)
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
        note = ("Every binarisation was tried. None scored well enough alone, so each one's "
                "score was weighed with how confidently the CNN reads its characters.")
    if any(name.startswith("colour") for name in names):
        note += (f"\nNone scored {GOOD_ENOUGH:.2f}, so the best one was tried once more, its "
                 "ink kept only where it has the characters' own colour (\"colour\").")
    figure.suptitle("Binarisations: ink (white) and background (black)")
    figure.supxlabel(note, fontsize=10)
    return figure


@styled
def _character_boxes_figure(crop: np.ndarray, stages: dict, segmentation):
    from matplotlib.patches import Rectangle

    chosen_key = f"threshold_{segmentation.binarisation}"
    ink = stages.get(chosen_key, stages["gray"])
    scale = ink.shape[0] / crop.shape[0]
    reasons = [why for _, why in segmentation.rejected]
    legend_lines = [f"{why}: {REJECT_REASONS.get(why, why)}" for why in dict.fromkeys(reasons)]
    image_height = (WIDTH / 2 - 0.4) * crop.shape[0] / crop.shape[1]
    legend_height = 0.1 + 0.16 * (1 + max(1, len(legend_lines)))
    figure = new_figure(WIDTH, float(np.clip(image_height + legend_height + 0.8, 3.0, 8.0)))
    grid = figure.add_gridspec(2, 2, height_ratios=[max(image_height, 1.0), legend_height])
    ink_ax, crop_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    legend_ax = figure.add_subplot(grid[1, :])
    show_image(ink_ax, ink, f"On the chosen binarisation ({segmentation.binarisation or 'none'})",
               pixel_axes=False)
    show_image(crop_ax, crop, f"On the crop: {len(segmentation)} kept, "
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


@styled
def _character_classes_figure(segmentation, reading):
    count = len(segmentation)
    if count == 0:
        return message_figure("No characters to classify",
                               ("The segmenter found no row of characters in this crop.",))
    width = float(np.clip(1.35 * count + 0.8, 8.0, 16.0))  # room for the title
    figure = new_figure(width, 4.6)
    axes = figure.subplots(2, count, squeeze=False, height_ratios=[1.2, 1.0])
    for index, (image, char) in enumerate(zip(segmentation.images, reading.chars,
                                              strict=True)):
        image_ax, bars_ax = axes[0, index], axes[1, index]
        show_image(image_ax, image, f"#{index + 1}: {char.text}", pixel_axes=False)
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
