"""Writing a demo: a self-contained web page (figures embedded as PNG data URIs, a
heading and explanation per stage) or one tall PNG of every figure, top to bottom."""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from platechar.errors import PlatecharError
from platechar.teaching.drawing import DPI, KEPT_COLOUR, WIDTH, figure_png, new_figure, styled
from platechar.teaching.notes import STAGE_NOTES
from platechar.teaching.sections import DemoSection

OUTPUT_SUFFIXES = {".html": "html", ".htm": "html", ".png": "png"}


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
        f"<title>{_text(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;"
        "padding:0 1em;line-height:1.45;color:#222}img{max-width:100%;height:auto;"
        "border:1px solid #ddd}h2{border-bottom:2px solid #1a9e3a;padding-bottom:.2em;"
        "margin-top:2em}.summary{font-weight:bold}figure{margin:0 0 1.5em 0}</style>",
        "</head><body>",
        f"<h1>{_text(title)}</h1>",
        "<p>Made by <code>platechar demo</code>: each figure is one stage, in the order the "
        "pipeline runs, with what it does and why.</p>",
    ]
    summaries = [s.summary for s in sections if s.summary]
    if summaries:
        parts.append("<ul>" + "".join(f"<li>{_text(s)}</li>" for s in summaries)
                     + "</ul>")
    for section in sections:
        parts.append(f"<h2>{_text(section.title)}</h2>")
        if section.intro:
            parts.append(f"<p>{_text(section.intro)}</p>")
        for name, figure in section.figures.items():
            heading, explanation = STAGE_NOTES.get(name, (name.replace("_", " ").capitalize(),
                                                         ""))
            encoded = base64.b64encode(figure_png(figure)).decode("ascii")
            parts.append(f'<section id="{html.escape(name)}"><h3>{_text(heading)}</h3>')
            if explanation:
                parts.append(f"<p>{_text(explanation)}</p>")
            parts.append(f'<figure><img src="data:image/png;base64,{encoded}" '
                         f'alt="{html.escape(heading)}"></figure></section>')
        if section.summary:
            parts.append(f'<p class="summary">{_text(section.summary)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _text(text: str) -> str:
    """Text for an HTML element's content (attributes use html.escape's quoting)."""
    return html.escape(text, quote=False)


@styled
def _banner(text: str):
    figure = new_figure(WIDTH, 0.6, layout=None)
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
