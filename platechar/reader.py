"""The public entry points: find plates (``detect``) and read them (``Reader``, ``read``).

Reading is detection followed by a recognition *backend*. Each backend registers a
loader in :data:`BACKENDS`; the loader builds (once per :class:`Reader`) an object whose
``recognize(crop_bgr)`` returns a :class:`PlateReading`. The glue here does the rest for
every backend alike: load and validate the image, run detection, put each plate's
position and timings on its reading, and keep going past bad items in a batch.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from numbers import Integral
from pathlib import Path
from typing import Protocol

import numpy as np

from detection.types import PlateCandidate
from platechar._version import __version__
from platechar.backends import KNOWN_BACKENDS
from platechar.errors import ModelError, PlatecharError
from platechar.images import load_image
from platechar.results import PlateReading
from platechar.syntax import plate_syntax


class Recognizer(Protocol):
    """What a backend's loader returns: reads one rectified plate crop."""

    def recognize(self, crop_bgr: np.ndarray) -> PlateReading: ...



def _module_loader(module_name: str) -> Callable[..., Recognizer]:
    """A loader that imports a backend module on first use and calls its ``load(path)``."""

    def load(path: Path | None = None) -> Recognizer:
        return importlib.import_module(module_name).load(path)

    load.__qualname__ = f"load[{module_name}]"
    return load


BACKENDS: dict[str, Callable[..., Recognizer]] = {
    "segmented": _module_loader("platechar.backends.segmented"),
    "holistic": _module_loader("platechar.backends.holistic"),
}
"""Backend name -> loader of its recognizer (the module is imported, and its model
opened, only when a reader first needs it). ``loader()`` opens the shipped model,
``loader(path)`` the model file at ``path``. A missing or damaged model file raises
:class:`ModelError` from the loader."""

_WHAT_SHIPS = {
    "segmented": "its 36-class character CNN",
    "holistic": "its CRNN+CTC plate model",
}


def detect(image, *, max_candidates: int = 5, stages: dict | None = None
           ) -> list[PlateCandidate]:
    """Find licence plates in ``image`` without reading them, best first.

    ``image`` is anything :func:`platechar.load_image` accepts. Pass a dict as ``stages``
    to receive the detector's named intermediate images (for teaching and debugging).
    """
    _check_max_candidates(max_candidates)
    from detection import detect_plates  # imports OpenCV's detection code on first use

    return detect_plates(load_image(image), max_candidates=int(max_candidates), stages=stages)


def segment(crop, *, stages: dict | None = None):
    """Cut a plate crop into its characters (the segmented pipeline's second stage).

    ``crop`` is anything :func:`platechar.load_image` accepts, e.g. a candidate's
    ``crop`` from :func:`detect`. Returns a :class:`segmentation.Segmentation`: the
    characters' boxes in reading order and each one normalised for the classifier.
    Pass a dict as ``stages`` to receive the named intermediate images.
    """
    from segmentation import segment_characters

    return segment_characters(load_image(crop), stages=stages)


class Reader:
    """Detects and reads plates with one backend, loading its model once.

    The model loads on the first ``read``/``recognize`` call and stays loaded; an unknown
    backend name is refused at once. ``detect`` needs no model.

    ``region`` (``"us"``, ``"eu"``, ``"br"``, ``"any"`` or ``"off"``; default ``"any"``)
    is where the plates come from: each reading is checked against that region's plate
    syntax, which swaps look-alike characters (``0``/``O``, ``1``/``I``) into the places
    its plates have digits or letters (see :mod:`platechar.syntax`).

    ``model`` reads with another model of the backend's kind than the shipped one: the
    ``.onnx`` file (its ``.json`` sidecar beside it) that ``platechar train chars`` or
    ``platechar train crnn`` exported, e.g. one fine-tuned on your own plates. The
    ``.keras`` or ``.json`` file of the same export may be given instead; ``"shipped"``
    (like ``None``) means the shipped model. A model of the other backend's kind, or a
    missing or damaged file, raises :class:`ModelError` when the model loads.

    >>> reader = Reader("holistic", model="runs/mine/crnn.onnx")   # doctest: +SKIP
    >>> reader.read("car.jpg")[0].text                              # doctest: +SKIP
    """

    def __init__(self, backend: str = KNOWN_BACKENDS[0], *, max_candidates: int = 5,
                 region: str | None = None, model: str | os.PathLike | None = None) -> None:
        names = list(dict.fromkeys([*KNOWN_BACKENDS, *BACKENDS]))
        if backend not in names:
            known = ", ".join(repr(name) for name in names)
            raise PlatecharError(f"unknown backend {backend!r}; the backends are {known}")
        _check_max_candidates(max_candidates)
        self.backend = backend
        self.max_candidates = max_candidates
        self.region = "any" if region is None else region
        self.syntax = plate_syntax(self.region)
        self.model: Path | None = _model_path(model)
        self._recognizer: Recognizer | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        model = "" if self.model is None else f", model={str(self.model)!r}"
        return (f"Reader(backend={self.backend!r}, max_candidates={self.max_candidates}, "
                f"region={self.region!r}{model})")

    def detect(self, image, *, stages: dict | None = None) -> list[PlateCandidate]:
        """Find plates in ``image`` without reading them (see :func:`platechar.detect`)."""
        return detect(image, max_candidates=self.max_candidates, stages=stages)

    def read(self, image) -> list[PlateReading]:
        """Find and read every plate in ``image``.

        Returns one reading per plate candidate, each with its ``box``, ``quad`` and
        ``crop`` in the photo, the likeliest plate first (see :meth:`rank`); a plate the
        backend could not read has ``text == ""``. An empty list means no plate was found.
        """
        recognizer = self._load_recognizer()
        started = time.perf_counter()
        pixels = load_image(image)
        loaded = time.perf_counter()
        candidates = self.detect(pixels)
        detected = time.perf_counter()
        timings = {"load": loaded - started, "detect": detected - loaded}
        readings = []
        for candidate in candidates:
            started = time.perf_counter()
            reading = self._checked(recognizer.recognize(candidate.crop))
            stage_times = {**timings, "recognize": time.perf_counter() - started, **reading.timings}
            readings.append(replace(reading, box=candidate.box, quad=candidate.quad,
                                    crop=candidate.crop, timings=stage_times))
        order = self.rank(readings, [candidate.score for candidate in candidates])
        return [readings[i] for i in order]

    def rank(self, readings: Sequence[PlateReading], scores: Sequence[float]) -> list[int]:
        """The order of the candidates' readings, likeliest plate first.

        The detector ranks regions by how plate-like they *look*; a shop sign, a sticker
        or a bumper's text can look as plate-like as the plate. Reading them tells more:
        a candidate's rank is the detector's ``score`` times the reading's confidence
        times the plate syntax's prior for its text (1 when it follows one of the
        region's patterns, the region's ``strictness`` when it follows none; see
        :meth:`platechar.syntax.PlateSyntax.prior`). Ties keep the detector's order.
        """
        def plausibility(i: int) -> float:
            reading = readings[i]
            prior = 1.0 if self.syntax is None else self.syntax.prior(reading.text)
            return float(scores[i]) * reading.confidence * prior

        return sorted(range(len(readings)), key=lambda i: -plausibility(i))

    def recognize(self, crop) -> PlateReading:
        """Read a plate image that is already cut out (any input :func:`load_image` takes)."""
        recognizer = self._load_recognizer()
        pixels = load_image(crop)
        reading = self._checked(recognizer.recognize(pixels))
        return reading if reading.crop is not None else replace(reading, crop=pixels)

    def read_batch(self, images: Iterable) -> list[list[PlateReading] | PlatecharError]:
        """Read many images; one bad image does not stop the others.

        Returns a list parallel to ``images``: item *i* is what ``read(images[i])`` returns,
        or the :class:`PlatecharError` it raised (e.g. an :class:`ImageError` for a missing
        file). Check with ``isinstance(item, platechar.PlatecharError)``. A problem that
        affects every image (the backend's model is missing) is raised before any work.
        """
        self._load_recognizer()
        results: list[list[PlateReading] | PlatecharError] = []
        for image in images:
            try:
                results.append(self.read(image))
            except PlatecharError as exc:
                results.append(exc)
        return results

    def _checked(self, reading: PlateReading) -> PlateReading:
        return reading if self.syntax is None else self.syntax.apply(reading)

    def _load_recognizer(self) -> Recognizer:
        with self._lock:
            if self._recognizer is None:
                self._recognizer = _load_backend(self.backend, self.model)
            return self._recognizer

    def load_model(self) -> Reader:
        """Load the backend's model now rather than on the first read (so that a missing
        or damaged model file is reported before any work); returns the reader."""
        self._load_recognizer()
        return self


def _check_max_candidates(max_candidates: int) -> None:
    is_count = isinstance(max_candidates, Integral) and not isinstance(max_candidates, bool)
    if not is_count or max_candidates < 1:
        raise ValueError(f"max_candidates must be a positive int, got {max_candidates!r}")


SHIPPED = "shipped"
"""The word that names a backend's shipped model where a model path is expected
(``model="shipped"``, ``--model shipped``), as ``None`` does."""


def _model_path(model: str | os.PathLike | None) -> Path | None:
    """The ``.onnx`` file a reader opens for ``model`` (None or ``"shipped"``: the shipped
    model).

    Any of an export's three files means its ``.onnx`` (:func:`classifier.model_io.onnx_path`);
    a training run's folder holding one ``.onnx`` (as ``platechar train crnn`` leaves it)
    means that file.
    """
    if model is None or (isinstance(model, str) and model == SHIPPED):
        return None
    if not isinstance(model, (str, os.PathLike)) or not str(model).strip():
        raise PlatecharError(f"model must be the path of a model file, got {model!r}")
    path = Path(model)
    if path.is_dir():
        found = sorted(path.glob("*.onnx"))
        if len(found) != 1:
            raise PlatecharError(f"model '{path}' is a folder with {len(found)} .onnx files; "
                                 "give the path of the model's .onnx file")
        return found[0]
    from classifier.model_io import onnx_path

    return onnx_path(path)


def _load_backend(name: str, model: Path | None = None) -> Recognizer:
    loader = BACKENDS.get(name)
    if loader is None:
        raise ModelError(
            f"no model for backend {name!r} is installed in this version of platechar "
            f"({__version__}): {_WHAT_SHIPS.get(name, 'its model')} ships with a later "
            "release. Upgrade with 'python -m pip install -U platechar', or use "
            "platechar.detect() to find plates without reading them."
        )
    return loader() if model is None else loader(model)


_default_readers: dict[tuple[str, str | None, str | None], Reader] = {}
_default_readers_lock = threading.Lock()


def _default_reader(backend: str, region: str | None = None,
                    model: str | os.PathLike | None = None) -> Reader:
    path = _model_path(model)
    key = (backend, region, None if path is None else str(path.resolve()))
    with _default_readers_lock:
        if key not in _default_readers:
            _default_readers[key] = Reader(backend, region=region, model=path)
        return _default_readers[key]


def read(image, backend: str = KNOWN_BACKENDS[0], *, region: str | None = None,
         model: str | os.PathLike | None = None) -> list[PlateReading]:
    """Find and read every plate in ``image`` (see :meth:`Reader.read`; ``region`` and
    ``model`` as there). Uses one shared :class:`Reader` per backend, region and model,
    so each model loads only once."""
    return _default_reader(backend, region, model).read(image)


def recognize(crop, backend: str = KNOWN_BACKENDS[0], *, region: str | None = None,
              model: str | os.PathLike | None = None) -> PlateReading:
    """Read a plate image that is already cut out (see :meth:`Reader.recognize`)."""
    return _default_reader(backend, region, model).recognize(crop)
