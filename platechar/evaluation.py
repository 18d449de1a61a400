"""Evaluate a backend on labelled data, or compare backends, and say where errors come from.

::

    from platechar.datasets import open_dataset
    from platechar.evaluation import compare, evaluate

    data = open_dataset("crops/", labels="labels.csv")
    result = evaluate(data, backend="segmented")
    result.metrics()["exact"], result.error_sources()
    both = compare(data)                     # segmented and holistic on the same items
    both.disagreements()

Every plate gets one :class:`PlateOutcome`: the truth, what was read, the confidence,
the time it took and, when the reading is wrong, **which stage the error came from**, so
that a teacher can say which stage to improve:

- ``"detection missed"`` (scenes only): no plate candidate overlaps the true plate;
- segmented backend: ``"character count"``, segmentation found more or fewer characters
  than the plate has (nothing at all counts too); ``"classification"``, the count is
  right but the CNN read at least one character wrong (a segmentation that cut the right
  number of wrong pieces lands here too: the count is all the truth tells us);
- holistic backend: ``"misread"``, the CRNN has no stages to blame apart.

In scenes, each true plate is read from the candidates that overlap it (IoU > 0.4); when
several do, the most confidently read one counts. That is lenient (the truth's box picks
the candidates), so scenes are also scored as a user sees them: ``exact_first`` is the
share of plates read exactly by one of the reader's first readings (as many as the
photo has plates, in :meth:`platechar.Reader.rank`'s order). Detection is measured as well:
precision, recall and F1 of each photo's best candidate, recall of all candidates, and
average precision over all of them ranked by the detector's score.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platechar import metrics
from platechar.datasets import Dataset
from platechar.errors import PlatecharError
from platechar.reader import SHIPPED
from platechar.results import PlateReading

DETECTION_MISSED = "detection missed"
CHARACTER_COUNT = "character count"
CLASSIFICATION = "classification"
MISREAD = "misread"
ERROR_SOURCES = {
    "segmented": (DETECTION_MISSED, CHARACTER_COUNT, CLASSIFICATION),
    "holistic": (DETECTION_MISSED, MISREAD),
}
"""The stages an error can be blamed on, per backend, in pipeline order."""

ModelChoice = str | os.PathLike | None


@dataclass(eq=False)
class PlateOutcome:
    """One true plate, what a backend read for it, and where a wrong reading went wrong.

    ``key`` identifies the plate across backends (item index, plate index in a scene);
    ``error`` is ``None`` for an exact reading, else one of :data:`ERROR_SOURCES`;
    ``seconds`` is the time to read it (for scenes: load, detection and every
    candidate's reading, shared among the photo's plates); ``crop`` and ``reading`` are
    kept only for wrong readings, when asked (for a report's gallery). ``first`` (scenes
    only) says whether one of the reader's first readings of the photo, as many as it
    has plates, lies over this plate and reads it exactly.
    """

    key: tuple[int, int]
    name: str
    truth: str
    read: str
    confidence: float
    error: str | None
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    box: tuple[int, int, int, int] | None = None
    truth_box: tuple[int, int, int, int] | None = None
    crop: np.ndarray | None = field(default=None, repr=False)
    reading: PlateReading | None = field(default=None, repr=False)
    first: bool | None = None

    @property
    def correct(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        return {"name": self.name, "truth": self.truth, "read": self.read,
                "confidence": round(self.confidence, 4), "error": self.error,
                "ms": round(1e3 * self.seconds, 2),
                "box": None if self.box is None else list(self.box),
                "truth_box": None if self.truth_box is None else list(self.truth_box),
                "first": self.first}


@dataclass(eq=False)
class Evaluation:
    """One backend's outcomes on a dataset, with what was skipped and how long it took."""

    backend: str
    kind: str
    source: str
    outcomes: list[PlateOutcome]
    problems: list[str]
    seconds: float
    detection: dict | None = None
    model: str | None = None
    """The model file read with (``None``: the shipped model)."""

    def error_sources(self) -> dict[str, int]:
        """Wrong readings per stage to blame, in pipeline order (zeros included)."""
        counts = Counter(o.error for o in self.outcomes if o.error)
        return {source: counts.get(source, 0) for source in ERROR_SOURCES[self.backend]}

    def stage_seconds(self) -> dict[str, float]:
        """Mean seconds per plate for each stage the backend timed."""
        totals: Counter = Counter()
        for outcome in self.outcomes:
            totals.update(outcome.timings)
        n = max(1, len(self.outcomes))
        return {stage: seconds / n for stage, seconds in totals.items()}

    def metrics(self, *, confidence: float = 0.9, max_error: float = 0.01) -> dict:
        """Every measure, as a JSON-friendly dict (see :mod:`platechar.metrics`)."""
        truths = [o.truth for o in self.outcomes]
        reads = [o.read for o in self.outcomes]
        confidences = [o.confidence for o in self.outcomes]
        correct = [o.correct for o in self.outcomes]
        seconds = [o.seconds for o in self.outcomes]
        summary = metrics.reading_metrics(truths, reads)
        summary.update({
            "errors": self.error_sources(),
            "calibration": metrics.calibration(confidences, correct),
            "accept": metrics.accept_at_error_rate(confidences, correct, max_error),
            "above": metrics.accuracy_above(confidences, correct, confidence),
            "ms_median": 1e3 * float(np.median(seconds)) if seconds else 0.0,
            "ms_mean": 1e3 * float(np.mean(seconds)) if seconds else 0.0,
            "plates_per_second": len(seconds) / sum(seconds) if sum(seconds) else 0.0,
            "stage_ms": {k: 1e3 * v for k, v in self.stage_seconds().items()},
            "skipped": len(self.problems),
        })
        firsts = [o.first for o in self.outcomes if o.first is not None]
        if firsts:
            summary["exact_first"] = sum(firsts) / len(firsts)
        if self.detection is not None:
            summary["detection"] = self.detection
        return summary

    def to_dict(self, **metric_options) -> dict:
        return {"backend": self.backend, "model": self.model, "kind": self.kind,
                "source": self.source, "seconds": round(self.seconds, 3),
                "metrics": self.metrics(**metric_options),
                "problems": list(self.problems),
                "plates": [o.to_dict() for o in self.outcomes]}


@dataclass(eq=False)
class Comparison:
    """Several backends, or models of one backend, evaluated on the same items (see
    :func:`compare`); ``evaluations`` are keyed by column name (the backend's, or
    ``backend:model`` when one backend reads with several models)."""

    evaluations: dict[str, Evaluation]

    def disagreements(self) -> list[dict]:
        """The plates the backends read differently: truth, each backend's reading, and
        whether it was right; plates every backend got right or read alike are left out."""
        by_key: dict[tuple[int, int], dict[str, PlateOutcome]] = {}
        for backend, evaluation in self.evaluations.items():
            for outcome in evaluation.outcomes:
                by_key.setdefault(outcome.key, {})[backend] = outcome
        rows = []
        for key in sorted(by_key):
            outcomes = by_key[key]
            if len({o.read for o in outcomes.values()}) > 1:
                first = next(iter(outcomes.values()))
                rows.append({"name": first.name, "truth": first.truth,
                             "reads": {b: o.read for b, o in outcomes.items()},
                             "right": {b: o.correct for b, o in outcomes.items()}})
        return rows

    def paired(self) -> list[dict]:
        """Each pair of backends compared plate by plate on the plates both were scored
        on (:func:`platechar.metrics.paired_test`): ``a``, ``b``, ``plates``, ``only_a``
        (plates only ``a`` read exactly), ``only_b`` and ``p``, the chance that two
        equally good backends would split those plates this unevenly; ``both``,
        ``neither`` and ``either`` (the share at least one of them reads)."""
        pairs = []
        names = list(self.evaluations)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                pairs.append({"a": a, "b": b, **metrics.paired_test(*self.paired_right(a, b))})
        return pairs

    def paired_right(self, a: str, b: str) -> tuple[list[bool], list[bool]]:
        """Whether columns ``a`` and ``b`` read each plate exactly, on the plates both
        were scored on, in the same order (what :meth:`paired` tests; lists of several
        comparisons can be joined to test them pooled)."""
        right_a = {o.key: o.correct for o in self.evaluations[a].outcomes}
        right_b = {o.key: o.correct for o in self.evaluations[b].outcomes}
        keys = sorted(right_a.keys() & right_b.keys())
        return [right_a[k] for k in keys], [right_b[k] for k in keys]

    def to_dict(self, **metric_options) -> dict:
        return {"backends": {b: e.to_dict(**metric_options)
                             for b, e in self.evaluations.items()},
                "disagreements": self.disagreements(), "paired": self.paired()}


def evaluate(dataset: Dataset, backend: str = "segmented", *, reader=None,
             max_candidates: int = 3, keep_errors: bool = False,
             progress: bool | None = None, region: str | None = None,
             model: str | os.PathLike | None = None) -> Evaluation:
    """Read every item of ``dataset`` with ``backend`` and score the readings.

    ``model`` is a model file of the backend's kind to read with instead of the shipped
    one (e.g. your own from ``platechar train``; see :class:`Reader`). ``reader`` is a
    :class:`platechar.Reader` to reuse (its backend, region and model win);
    ``region`` is the plates' region for the plate syntax (see :class:`Reader`); scenes are
    searched for up to ``max_candidates`` plates each. ``keep_errors=True`` keeps the
    crop and reading of each wrong plate (for a report's gallery). ``progress`` shows a
    progress bar on stderr (default: when stderr is a terminal). An item that cannot be
    read (e.g. a damaged image) is added to ``problems`` and skipped; the others go on.
    """
    from platechar.reader import Reader

    reader = reader or Reader(backend, max_candidates=max_candidates, region=region,
                              model=model)
    backend = reader.backend
    if backend not in ERROR_SOURCES:
        raise PlatecharError(f"evaluation knows the backends {', '.join(ERROR_SOURCES)}; "
                             f"got {backend!r}")
    reader.load_model()  # a missing model fails once, before any item
    problems = list(dataset.problems)
    outcomes: list[PlateOutcome] = []
    scored_boxes: list[tuple[list, list]] = []
    started = time.perf_counter()
    for index, item in enumerate(_progress(dataset.items, backend, progress)):
        try:
            image = item.load()
            if dataset.kind == "crops":
                outcomes.append(_read_crop(reader, index, item, image, keep_errors))
            else:
                found, boxes = _read_scene(reader, index, item, image, keep_errors)
                outcomes += found
                scored_boxes.append(boxes)
        except PlatecharError as exc:
            problems.append(f"{item.name}: {exc}; skipped")
    detection = _detection_summary(scored_boxes) if dataset.kind == "scenes" else None
    return Evaluation(backend, dataset.kind, dataset.source, outcomes, problems,
                      time.perf_counter() - started, detection,
                      None if reader.model is None else str(reader.model))


def compare(dataset: Dataset, backends: Sequence[str] = ("segmented", "holistic"), *,
            max_candidates: int = 3, keep_errors: bool = False,
            progress: bool | None = None, region: str | None = None,
            models: Mapping[str, ModelChoice | Sequence[ModelChoice]] | None = None,
            ) -> Comparison:
    """:func:`evaluate` each backend on the same items (see :meth:`Comparison.disagreements`).

    ``models`` maps a backend to the model file it reads with instead of its shipped one,
    e.g. ``{"segmented": "runs/mine/charnet.onnx"}``, or to a list of models to compare
    with each other, each its own column: ``{"segmented": ["shipped", "runs/mine/charnet.onnx"]}``
    (``"shipped"`` or ``None``: the shipped model). Those columns are named
    ``backend:model`` after the model file's stem (``segmented:shipped``,
    ``segmented:charnet``), or after the path as given when stems coincide.
    """
    if len(set(backends)) != len(backends) or not backends:
        raise PlatecharError(f"compare needs distinct backends, got {list(backends)}")
    models = dict(models or {})
    unused = sorted(set(models) - set(backends))
    if unused:
        raise PlatecharError(f"a model was given for {', '.join(map(repr, unused))}, which is "
                             f"not among the backends compared ({', '.join(backends)})")
    from platechar.reader import Reader

    columns = [column for backend in backends
               for column in _model_columns(backend, models.get(backend))]
    # Every model is loaded before any plate is read: a missing or wrong file in the last
    # column fails at once, not after the other columns' whole runs.
    readers = {name: Reader(backend, max_candidates=max_candidates, region=region,
                            model=model).load_model()
               for name, backend, model in columns}
    return Comparison({name: evaluate(dataset, reader=reader, keep_errors=keep_errors,
                                      progress=progress)
                       for name, reader in readers.items()})


def _model_columns(backend: str, choice) -> list[tuple[str, str, str | os.PathLike | None]]:
    """``(column name, backend, model)`` for each model :func:`compare` reads
    ``backend``'s plates with: one column named ``backend`` for one model,
    ``backend:stem`` for each of several (the path as given where stems coincide)."""
    if choice is None or isinstance(choice, (str, os.PathLike)):
        return [(backend, backend, _shipped_as_none(choice))]
    if not isinstance(choice, Sequence) or isinstance(choice, (bytes, bytearray)):
        raise PlatecharError(f"the model for {backend!r} must be a path or a list of "
                             f"paths, got {choice!r}")
    choices = [_shipped_as_none(model) for model in choice]
    strays = [model for model in choices
              if model is not None and not isinstance(model, (str, os.PathLike))]
    if strays:
        raise PlatecharError(f"model must be the path of a model file, got {strays[0]!r}")
    if not choices:
        raise PlatecharError(f"an empty list of models was given for {backend!r}")
    given = [SHIPPED if model is None else os.fspath(model) for model in choices]
    if len(set(given)) < len(given):
        raise PlatecharError(f"the same model was given twice for {backend!r}: {given}")
    if len(choices) == 1:
        return [(backend, backend, choices[0])]
    stems = [SHIPPED if model is None else _model_stem(model) for model in choices]
    labels = stems if len(set(stems)) == len(stems) else given
    return [(f"{backend}:{label}", backend, model)
            for label, model in zip(labels, choices, strict=True)]


def _shipped_as_none(model):
    return None if model is None or (isinstance(model, str) and model == SHIPPED) else model


def _model_stem(model) -> str:
    path = Path(os.fspath(model))
    return path.name if path.is_dir() else path.stem


def blame(backend: str, truth: str, read: str) -> str | None:
    """The stage a wrong reading of a found plate is blamed on (``None`` when right)."""
    if read == truth:
        return None
    if backend == "segmented":
        return CHARACTER_COUNT if len(read) != len(truth) else CLASSIFICATION
    return MISREAD


def _read_crop(reader, index, item, image, keep_errors) -> PlateOutcome:
    started = time.perf_counter()
    reading = reader.recognize(image)
    seconds = time.perf_counter() - started
    error = blame(reader.backend, item.text, reading.text)
    kept = keep_errors and error is not None
    return PlateOutcome((index, 0), item.name, item.text, reading.text, reading.confidence,
                        error, seconds, dict(reading.timings),
                        crop=image if kept else None, reading=reading if kept else None)


def _read_scene(reader, index, item, image, keep_errors):
    started = time.perf_counter()
    candidates = reader.detect(image)
    detected = time.perf_counter()
    readings = [reader.recognize(c.crop) for c in candidates]
    read_time = time.perf_counter() - detected
    share = (time.perf_counter() - started) / len(item.plates)
    timings = {"detect": (detected - started) / len(item.plates),
               "recognize": read_time / len(item.plates)}
    order = reader.rank(readings, [c.score for c in candidates])
    outcomes = []
    for number, (truth_box, text) in enumerate(item.plates):
        read_first = first_reads(order, readings, candidates, truth_box, text,
                                 len(item.plates))
        best = most_confident_over(readings, candidates, truth_box)
        if best is None:
            outcomes.append(PlateOutcome((index, number), item.name, text, "", 0.0,
                                         DETECTION_MISSED, share, dict(timings),
                                         truth_box=truth_box, first=read_first))
            continue
        reading, candidate = best
        error = blame(reader.backend, text, reading.text)
        kept = keep_errors and error is not None
        outcomes.append(PlateOutcome((index, number), item.name, text, reading.text,
                                     reading.confidence, error, share, dict(timings),
                                     box=candidate.box, truth_box=truth_box,
                                     crop=candidate.crop if kept else None,
                                     reading=reading if kept else None, first=read_first))
    truths = [box for box, _ in item.plates]
    return outcomes, (truths, [(c.box, c.score) for c in candidates])


def most_confident_over(readings, candidates, box):
    """``(reading, candidate)``: of the candidates over ``box`` (IoU > 0.4), the most
    confidently read one (the lenient rule of "read exactly"); ``None`` when none is."""
    over = [(r, c) for r, c in zip(readings, candidates, strict=True)
            if metrics.iou(c.box, box) > metrics.IOU_MATCH]
    return max(over, key=lambda rc: (bool(rc[0].text), rc[0].confidence)) if over else None


def first_reads(order, readings, candidates, box, text: str, plates: int) -> bool:
    """Whether one of the first ``plates`` readings in ``order`` (indices into
    ``readings``/``candidates``) lies over ``box`` and reads ``text`` exactly."""
    return any(readings[i].text == text
               and metrics.iou(candidates[i].box, box) > metrics.IOU_MATCH
               for i in list(order)[:plates])


def _detection_summary(scored_boxes: list[tuple[list, list]]) -> dict:
    """Detector measures: the best candidate per photo, and all of them."""
    best = metrics.detection_metrics([(t, p[:1]) for t, p in scored_boxes])
    every = metrics.detection_metrics(scored_boxes)
    return {"best": best, "all": every, "candidates_recall": every["recall"],
            "average_precision": every["average_precision"]}


def _progress(items, backend: str, progress: bool | None):
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=backend, unit="plate", leave=False, file=sys.stderr)
