"""A demo is a list of sections (finding the plate, each reader, training), each a few
figures with their story; and the recognizers the sections read with."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from platechar.teaching.drawing import message_figure


@dataclass
class DemoSection:
    """A part of a demo page: a heading, what it is about, its figures in order, and a
    one-line summary of the outcome (e.g. the text read)."""

    title: str
    intro: str
    figures: dict = field(default_factory=dict)
    summary: str = ""


def recognizer(backend: str, model: str | None = None):
    """The backend's recognizer, loaded once per process and model (ONNX Runtime, no
    TensorFlow): the shipped model, or the ``.onnx`` file at ``model`` (see
    :class:`platechar.Reader`; its ``.keras``, ``None`` or ``"shipped"`` name the same
    files as there, and load them once)."""
    from platechar.reader import _model_path

    return _recognizer(backend, _model_path(model))


@functools.cache
def _recognizer(backend: str, path):
    from platechar.reader import _load_backend

    return _load_backend(backend, path)


def model_note(model: str | None) -> str:
    """A sentence for a reader's intro naming the model file it read with (the ``.onnx``
    the reader opened), if not the shipped one."""
    from platechar.reader import _model_path

    path = _model_path(model)
    return "" if path is None else f" Read with the model {path}, not the shipped one."


def no_plate_section(title: str, name: str) -> DemoSection:
    """A reader's section when detection found nothing: one figure that says so."""
    message = ("No plate was found, so there is nothing to read.",
               "If the image is a plate crop already, pass crop=True (platechar demo --crop).")
    return DemoSection(title, "", {name: message_figure("No plate to read", message)},
                       "No plate was found, so there is nothing to read.")


def reading_summary(backend: str, reading) -> str:
    """One line on what a reader read, for the page's summary and the CLI; the figures
    show the backend's own reading, and a second sentence what ``platechar read`` makes
    of it when the plate syntax (default region) swaps a look-alike character."""
    from platechar.syntax import plate_syntax

    if not reading.text:
        return f"The {backend} reader read nothing from the plate."
    line = (f"The {backend} reader read '{reading.text}' (confidence "
            f"{reading.confidence:.2f}).")
    checked = plate_syntax(None).apply(reading)
    if checked.text != reading.text:
        line += (f" The plate syntax makes it '{checked.text}': look-alike characters "
                 "put where plates have letters or digits.")
    return line
