"""How every teaching figure is drawn: matplotlib on the Agg canvas, one style.

Figures are ``matplotlib.figure.Figure`` objects attached to an Agg canvas directly,
without pyplot: no window can open, no global figure list keeps them alive, and the
caller (a notebook, ``savefig``, the demo page) decides what to do with them.
Matplotlib is imported on the first figure, never when platechar is imported.
"""

from __future__ import annotations

import functools

import numpy as np

DPI = 100
"""Figures are drawn at this resolution: an 11-inch wide figure is 1,100 pixels wide."""

WIDTH = 11.0
"""The width of most figures, in inches."""

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


@functools.cache
def matplotlib_parts():
    """matplotlib, with its Figure class and the Agg canvas: imported on first use only."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    return matplotlib, Figure, FigureCanvasAgg


def new_figure(width: float, height: float, **kwargs):
    """A new Figure on an Agg canvas (no window, not registered with pyplot)."""
    matplotlib, figure_class, canvas_class = matplotlib_parts()
    kwargs.setdefault("layout", "constrained")
    figure = figure_class(figsize=(width, height), dpi=DPI, **kwargs)
    canvas_class(figure)
    return figure


def styled(build):
    """Build a figure with the teaching style (larger titles) in force."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        matplotlib, _, _ = matplotlib_parts()
        with matplotlib.rc_context(STYLE):
            return build(*args, **kwargs)

    return wrapper


def rgb(image: np.ndarray) -> np.ndarray:
    return image[..., 2::-1] if image.ndim == 3 else image


def show_image(ax, image: np.ndarray, title: str = "", *, pixel_axes: bool = True,
               **kwargs) -> None:
    """An image on ``ax``: colour (BGR) as colour, gray with 0 black and 255 white."""
    if image.ndim == 2:
        kwargs = {"cmap": "gray", "vmin": 0, "vmax": 255, **kwargs}
    ax.imshow(rgb(image), interpolation="nearest" if max(image.shape[:2]) < 200
              else "antialiased", **kwargs)
    if title:
        ax.set_title(title)
    if pixel_axes:
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
    else:
        ax.set_xticks([])
        ax.set_yticks([])


def image_height(image: np.ndarray, width: float, extra: float = 1.2,
                  limits: tuple[float, float] = (2.5, 8.5)) -> float:
    """A figure height (inches) that shows ``image`` ``width`` inches wide, plus room for
    titles and labels."""
    h, w = image.shape[:2]
    return float(np.clip(width * h / w + extra, *limits))


@styled
def message_figure(title: str, lines: tuple[str, ...]):
    figure = new_figure(8.0, 2.2)
    ax = figure.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=12,
            transform=ax.transAxes)
    figure.suptitle(title)
    return figure


@styled
def reading_figure(crop: np.ndarray, reading, backend: str, notes: tuple[str, ...] = ()):
    from matplotlib.patches import Rectangle

    image_width = 6.0
    image_height = image_width * crop.shape[0] / crop.shape[1]
    text_height = 1.1 + 0.25 * len(notes)
    figure = new_figure(8.0, float(np.clip(image_height + text_height + 0.4, 3.0, 7.0)))
    image_ax, text_ax = figure.subplots(2, 1, height_ratios=[image_height, text_height])
    show_image(image_ax, crop, "", pixel_axes=False)
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


def figure_png(figure) -> bytes:
    """A figure as PNG bytes, at :data:`DPI`."""
    import io

    buffer = io.BytesIO()
    # Light compression: figures are mostly flat colour, and the demo should stay fast.
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                   pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
