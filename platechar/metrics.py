"""How good a set of plate readings is: the measures :mod:`platechar.evaluation` reports.

Reading measures compare each true text with what was read:

- **sequence accuracy**: the share of plates read exactly, every character right;
- **character error rate (CER)**: edit distance (the fewest insertions, deletions and
  substitutions that turn the reading into the truth) over the truth's length, summed
  over all plates; character accuracy is ``1 - CER``;
- the **alignment** behind the edit distance says which characters were confused: a
  substitution ``B`` read as ``8`` is one cell of the confusion matrix;
- **calibration**: is a reading given confidence 0.9 right 9 times in 10? Plates are
  binned by confidence and each bin's accuracy compared with its mean confidence; and
  the share of plates that can be accepted automatically (confidence above a threshold)
  while keeping the error rate among them under a target;
- **uncertainty**: a share measured on 110 plates could easily have been a few points
  higher or lower, so each share read exactly comes with its 95% *Wilson interval*, and
  two backends read on the same plates are compared plate by plate with an *exact
  McNemar test*: only the plates one of them reads and the other does not tell them
  apart, and the test says how often two equally good backends would split those plates
  this unevenly by chance.

Detection measures match predicted plate boxes to true ones by intersection over union
(IoU > 0.4, OpenALPR's rule): precision, recall, F1 and average precision (the area
under the precision-recall curve as the score threshold is lowered).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from detection.geometry import iou

IOU_MATCH = 0.4
"""A predicted plate box matches a true one when their IoU exceeds this."""


@dataclass(frozen=True)
class Step:
    """One step of an alignment: ``op`` is ``"="`` (match), ``"sub"``, ``"del"`` (a true
    character that was not read) or ``"ins"`` (a read character that is not in the truth);
    ``truth``/``read`` are the characters involved (``""`` where there is none)."""

    op: str
    truth: str
    read: str


def align(truth: str, read: str) -> list[Step]:
    """The cheapest alignment of ``read`` to ``truth`` (Levenshtein, unit costs).

    Ties prefer a substitution over a deletion plus an insertion, so that ``"ABC"`` read
    as ``"A8C"`` is one confusion ``B -> 8``, which is what the confusion matrix counts.
    """
    n, m = len(truth), len(read)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            diagonal = cost[i - 1][j - 1] + (truth[i - 1] != read[j - 1])
            cost[i][j] = min(diagonal, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    steps: list[Step] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (truth[i - 1] != read[j - 1]):
            same = truth[i - 1] == read[j - 1]
            steps.append(Step("=" if same else "sub", truth[i - 1], read[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            steps.append(Step("del", truth[i - 1], ""))
            i -= 1
        else:
            steps.append(Step("ins", "", read[j - 1]))
            j -= 1
    return steps[::-1]


def edit_distance(truth: str, read: str) -> int:
    """Insertions + deletions + substitutions that turn ``read`` into ``truth``."""
    return sum(step.op != "=" for step in align(truth, read))


def reading_metrics(truths: Sequence[str], reads: Sequence[str]) -> dict:
    """Sequence accuracy, CER, accuracy by plate length and the confusions of a set.

    Returns a JSON-friendly dict: ``plates``, ``exact`` (share), ``cer``, ``char_accuracy``,
    ``by_length`` (true length -> ``{"plates", "exact"}``), ``substitutions`` (a list of
    ``[truth char, read char, count]``, most frequent first), ``deleted`` and ``inserted``
    (character -> count).
    """
    if len(truths) != len(reads):
        raise ValueError(f"{len(truths)} truths but {len(reads)} readings")
    exact = errors = length = 0
    by_length: dict[int, list[int]] = {}
    substitutions: Counter = Counter()
    deleted: Counter = Counter()
    inserted: Counter = Counter()
    for truth, read in zip(truths, reads, strict=True):
        steps = align(truth, read)
        wrong = [s for s in steps if s.op != "="]
        errors += len(wrong)
        length += len(truth)
        exact += not wrong
        counts = by_length.setdefault(len(truth), [0, 0])
        counts[0] += 1
        counts[1] += not wrong
        for step in wrong:
            if step.op == "sub":
                substitutions[step.truth, step.read] += 1
            elif step.op == "del":
                deleted[step.truth] += 1
            else:
                inserted[step.read] += 1
    plates = len(truths)
    cer = errors / length if length else 0.0
    return {
        "plates": plates,
        "exact": exact / plates if plates else 0.0,
        "exact_interval": list(wilson_interval(exact, plates)),
        "cer": cer,
        "char_accuracy": max(0.0, 1.0 - cer),
        "by_length": {n: {"plates": c[0], "exact": c[1] / c[0]}
                      for n, c in sorted(by_length.items())},
        "substitutions": [[t, r, k] for (t, r), k in substitutions.most_common()],
        "deleted": dict(deleted.most_common()),
        "inserted": dict(inserted.most_common()),
    }


def wilson_interval(right: int, plates: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of the share ``right / plates`` (95% for ``z = 1.96``):
    the range of true shares that such a count does not rule out. Unlike the plain
    ``share +- z * standard error``, it stays inside 0..1 and is honest near 0% and 100%.
    ``(0, 1)`` for no plates."""
    if plates <= 0:
        return 0.0, 1.0
    share = right / plates
    z2 = z * z
    centre = (share + z2 / (2 * plates)) / (1 + z2 / plates)
    half = z * math.sqrt(share * (1 - share) / plates + z2 / (4 * plates * plates)) \
        / (1 + z2 / plates)
    return max(0.0, centre - half), min(1.0, centre + half)


def paired_test(a_right: Sequence[bool], b_right: Sequence[bool]) -> dict:
    """Two readers scored on the same plates, plate by plate (an exact McNemar test).

    Plates both read, or both miss, say nothing about which is better; of the others,
    ``only_a`` are read by the first alone and ``only_b`` by the second alone. If both
    were equally good, each such plate would go either way with even odds; ``p`` is the
    two-sided probability of a split at least as uneven as this one (the binomial tail),
    so a small ``p`` (say below 0.05) means the difference is unlikely to be luck.

    ``both`` and ``neither`` count the plates both read and both missed. Together they
    say where the errors come from: plates that defeat every reader (dirt, damage, a
    label to check) against plates one method handles and the other does not;
    ``either`` is the share read by at least one, what a reader that knew which of the
    two to trust would reach.
    """
    if len(a_right) != len(b_right):
        raise ValueError(f"{len(a_right)} and {len(b_right)} plates: not the same plates")
    only_a = sum(bool(a) and not b for a, b in zip(a_right, b_right, strict=True))
    only_b = sum(bool(b) and not a for a, b in zip(a_right, b_right, strict=True))
    both = sum(bool(a) and bool(b) for a, b in zip(a_right, b_right, strict=True))
    split = only_a + only_b
    tail = sum(math.comb(split, k) for k in range(min(only_a, only_b) + 1)) / 2 ** split
    plates = len(a_right)
    neither = plates - both - split
    return {"plates": plates, "only_a": only_a, "only_b": only_b, "p": min(1.0, 2 * tail),
            "both": both, "neither": neither,
            "either": (plates - neither) / plates if plates else 0.0}


def calibration(confidences: Sequence[float], correct: Sequence[bool],
                bins: int = 10) -> list[dict]:
    """Accuracy against confidence: ``bins`` equal-width bins over 0..1, the non-empty
    ones as ``{"low", "high", "plates", "confidence" (mean), "accuracy"}``. A calibrated
    backend has accuracy close to mean confidence in every bin."""
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} outcomes")
    table = []
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [(c, ok) for c, ok in zip(confidences, correct, strict=True)
                  if low <= c < high or (k == bins - 1 and c == high)]
        if inside:
            table.append({"low": low, "high": high, "plates": len(inside),
                          "confidence": sum(c for c, _ in inside) / len(inside),
                          "accuracy": sum(ok for _, ok in inside) / len(inside)})
    return table


def accept_at_error_rate(confidences: Sequence[float], correct: Sequence[bool],
                         max_error: float) -> dict:
    """How many plates can be accepted without a person checking them.

    Plates are accepted from the most confident down; the threshold is the lowest
    confidence at which the accepted plates still have an error rate of at most
    ``max_error``. Returns ``{"max_error", "threshold", "accepted" (share of all plates),
    "error" (among the accepted)}``; ``threshold`` is ``None`` when not even the most
    confident plate can be accepted.
    """
    if not 0.0 <= max_error <= 1.0:
        raise ValueError(f"max_error must be within 0..1, got {max_error!r}")
    order = sorted(zip(confidences, correct, strict=True), key=lambda pair: -pair[0])
    best = {"max_error": max_error, "threshold": None, "accepted": 0.0, "error": 0.0}
    wrong = 0
    for k, (confidence, ok) in enumerate(order, start=1):
        wrong += not ok
        tied_next = k < len(order) and order[k][0] == confidence
        if not tied_next and wrong / k <= max_error:
            best = {"max_error": max_error, "threshold": confidence,
                    "accepted": k / len(order), "error": wrong / k}
    return best


def accuracy_above(confidences: Sequence[float], correct: Sequence[bool], threshold: float) -> dict:
    """Among plates read with confidence >= ``threshold``: their share and accuracy."""
    kept = [ok for c, ok in zip(confidences, correct, strict=True) if c >= threshold]
    total = len(confidences)
    return {"threshold": threshold, "accepted": len(kept) / total if total else 0.0,
            "accuracy": sum(kept) / len(kept) if kept else None}


def detection_metrics(images: Sequence[tuple[Sequence, Sequence]], iou_min: float = IOU_MATCH
                      ) -> dict:
    """Precision, recall, F1 and average precision of plate boxes over a set of images.

    ``images`` holds, per image, ``(true boxes, predictions)`` where a prediction is
    ``(box, score)``. Each true box can be matched once, by the highest-scoring
    prediction overlapping it with IoU > ``iou_min``; other predictions are false
    positives. Precision/recall/F1 count every prediction given; average precision
    ranks all predictions of all images by score (all-point interpolation, as in
    PASCAL VOC).
    """
    ranked: list[tuple[float, bool]] = []
    positives = 0
    for truths, predictions in images:
        positives += len(truths)
        taken = [False] * len(truths)
        for box, score in sorted(predictions, key=lambda p: -p[1]):
            overlaps = [(iou(box, t), k) for k, t in enumerate(truths) if not taken[k]]
            best = max(overlaps, default=(0.0, -1))
            hit = best[0] > iou_min
            if hit:
                taken[best[1]] = True
            ranked.append((float(score), hit))
    ranked.sort(key=lambda r: -r[0])
    hits = sum(hit for _, hit in ranked)
    precision = hits / len(ranked) if ranked else 0.0
    recall = hits / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"images": len(images), "plates": positives, "predictions": len(ranked),
            "precision": precision, "recall": recall, "f1": f1,
            "average_precision": _average_precision(ranked, positives)}


def _average_precision(ranked: list[tuple[float, bool]], positives: int) -> float:
    if not positives:
        return 0.0
    points, hits = [], 0
    for k, (_, hit) in enumerate(ranked, start=1):
        hits += hit
        points.append((hits / positives, hits / k))
    area, previous_recall = 0.0, 0.0
    for i, (recall, _) in enumerate(points):
        if recall > previous_recall:
            best_precision = max(p for _, p in points[i:])
            area += (recall - previous_recall) * best_precision
            previous_recall = recall
    return area
