"""How well and how fast `segmentation/` cuts plates into characters.

    python benchmarks/bench_segmentation.py                 # synthetic + real, timings
    python benchmarks/bench_segmentation.py --synthetic 2000 --seed 7 --augment light
    python benchmarks/bench_segmentation.py --misses 20     # list real crops it miscounts
    python benchmarks/bench_segmentation.py --diagnose      # why synthetic crops are missed
    python benchmarks/bench_segmentation.py --endtoend      # + the crops cut from photos

Figures printed:

* synthetic crops (``platechar.synth``, fresh seed, known character boxes): share of
  plates where exactly the true characters are found (as many boxes as characters, the
  i-th box overlapping the i-th true box at IoU > 0.5);
* the 359 real crops of ``seg_and_ocr`` (labels only, no boxes): share of plates where
  the number of characters found equals the label's length;
* median and 90th-percentile milliseconds per crop (one thread, after a warm-up);
* with ``--endtoend``, the crops that the segmented backend reads in the ``endtoend``
  photos (the detector's crops, cut otherwise than ``seg_and_ocr``'s): share whose
  count equals the label's length, per region (``--misses N`` lists N of each).

``--diagnose`` adds, for the synthetic crops: each miss sorted by what went wrong
(``dropped``: a true character has no box near it; ``joined``: one box covers two true
characters; ``part``: a box covers part of one; ``extra``: a box over no character;
``all``: no true character found, usually the wrong polarity; ``duplicate``: every
true character found, one of them twice), and the share of crops
that at least one of the binarisations tried would have cut exactly (the ceiling for a
better choice among them), and the ink share in the margins above and below the rows of
exact attempts and of attempts that find no true character (the evidence for
``segmentation.segmenter.MARGIN_SHARE``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    describe_labels,
    fonts_used,
    read_endtoend,
    read_seg_and_ocr,
)
from detection.geometry import iou, width_covered  # noqa: E402
from segmentation import segment_characters  # noqa: E402


def exact_boxes(found: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> bool:
    """As many boxes as true characters, each in order overlapping its own at IoU > 0.5."""
    return len(found) == len(truth) and all(
        iou(f, t) > threshold for f, t in zip(found.tolist(), truth.tolist(), strict=True))


def timed(crop) -> tuple[object, float]:
    started = CLOCK()
    result = segment_characters(crop)
    return result, CLOCK() - started


CLOCK = time.perf_counter


def synthetic(count: int, seed: int, augment: str, diagnose: bool = False
              ) -> tuple[float, list[float], dict]:
    from platechar.synth import generate_plates

    plates = generate_plates(count, seed=seed, augment=augment, workers=0)
    hits, times, by_style = 0, [], {}
    misses, reachable, margins = Counter(), 0, {"exact": [], "none": []}
    for plate in plates:
        result, seconds = timed(plate.image)
        times.append(seconds)
        truth = np.asarray(plate.char_boxes)
        ok = exact_boxes(result.boxes, truth)
        hits += ok
        style = by_style.setdefault(plate.style, [0, 0])
        style[0] += ok
        style[1] += 1
        if diagnose:
            if not ok:
                misses[what_went_wrong(result.boxes, truth)] += 1
            reachable += any_binarisation_exact(plate.image, truth, margins) or ok
    if diagnose:
        print(f"misses by kind: {', '.join(f'{k} {v}' for k, v in misses.most_common())}")
        print(f"cut exactly by at least one binarisation tried: {100 * reachable / count:.1f}%")
        for kind, shares in margins.items():
            if shares:
                low, mid, high = np.percentile(shares, [5, 50, 95])
                print(f"  ink share in the margins of {kind} rows ({len(shares)}): "
                      f"5/50/95th percentile {low:.2f} / {mid:.2f} / {high:.2f}")
    return hits / max(1, count), times, by_style


def what_went_wrong(found: np.ndarray, truth: np.ndarray) -> str:
    """The kinds of error in a missed crop, e.g. ``dropped`` or ``extra+joined``."""
    found, truth = found.tolist(), truth.tolist()
    lost = [t for t in truth if max([iou(t, f) for f in found] or [0]) <= 0.5]
    if len(lost) == len(truth):
        return "all"
    bogus = [f for f in found if max(iou(f, t) for t in truth) <= 0.5]
    kinds = set()
    for box in bogus:
        covered = sum(width_covered(box, t) > 0.6 for t in truth)
        kinds.add("joined" if covered >= 2 else "part" if covered == 1 else "extra")
    if any(not any(width_covered(box, t) > 0.6 for box in bogus) for t in lost):
        kinds.add("dropped")
    return "+".join(sorted(kinds)) or "duplicate"  # every truth found, one twice


def any_binarisation_exact(crop: np.ndarray, truth: np.ndarray, margins: dict | None = None
                           ) -> bool:
    """Whether one of the binarisations the segmenter makes finds exactly the truth.

    With ``margins``, the ink share just above and below each attempt's first row
    (``segmentation.segmenter._margin_share``) is added to ``margins["exact"]`` for
    attempts that are exact, and to ``margins["none"]`` for attempts of at least 4
    members that find no true character (the wrong polarity, as a rule)."""
    from segmentation.binarize import binarisations, contrast_gray, enhance_contrast, working_size
    from segmentation.segmenter import _attempt, _margin_share

    small, scale = working_size(crop)
    truth = truth * scale
    found_exact = False
    for binarisation in binarisations(enhance_contrast(contrast_gray(small))):
        attempt = _attempt(binarisation, small)
        boxes = np.array([b.box for row in attempt.rows for b in row.blobs]).reshape(-1, 4)
        exact = exact_boxes(boxes, truth)
        if exact and margins is None:
            return True
        found_exact |= exact
        if margins is None or not attempt.rows:
            continue
        if exact:
            kind = "exact"
        elif len(boxes) >= 4 and all(max(iou(t, b) for b in boxes.tolist()) <= 0.3
                                     for t in truth.tolist()):
            kind = "none"
        else:
            continue
        margins[kind].append(_margin_share(attempt.rows[0], binarisation.ink))
    return found_exact


def real(root: Path, misses: int, raw_labels: bool = False) -> tuple[float, list[float], int]:
    crops = read_seg_and_ocr(root, corrected=not raw_labels)
    hits, times, listed = 0, [], 0
    for item in crops:
        image = cv2.imread(str(item.image_path))
        result, seconds = timed(image)
        times.append(seconds)
        if len(result) == len(item.text):
            hits += 1
        elif listed < misses:
            listed += 1
            print(f"  miss {item.image_path.name}: {item.text!r} ({len(item.text)}) -> "
                  f"{len(result)} chars via {result.binarisation} score {result.score:.2f}")
    return hits / max(1, len(crops)), times, len(crops)


def endtoend(root: Path, regions: list[str], misses: int) -> None:
    """The crops the segmented backend reads in the ``endtoend`` photos: each photo is
    read as ``platechar.read`` does, and of the candidates over its plate (IoU > 0.4)
    the most confident one's crop is segmented again (with the CNN's legibility, as
    the backend does); the share whose count equals the label's length is printed per
    region. A photo whose plate no candidate covers is left out (detection missed)."""
    import platechar
    from platechar.backends.segmented import load as load_segmented

    recognizer = load_segmented()
    reader = platechar.Reader("segmented")
    total = right = 0
    for region in regions:
        ok, n, wrong = 0, 0, []
        for scene in read_endtoend(root, region):
            over = [r for r in reader.read(scene.image_path)
                    if r.box is not None and iou(r.box, scene.box) > 0.4]
            if not over:
                continue
            crop = max(over, key=lambda r: r.confidence).crop
            found = len(segment_characters(crop, legibility=recognizer.legibility))
            n += 1
            if found == len(scene.text):
                ok += 1
            else:
                wrong.append(f"{scene.image_path.name}: '{scene.text}' -> {found}")
        print(f"endtoend/{region}: {n} photos whose plate was found, count = label length "
              f"{100 * ok / max(1, n):.1f}% ({ok})")
        for line in wrong[:misses]:
            print(f"  miss {line}")
        total, right = total + n, right + ok
    print(f"endtoend, all: count = label length {right} of {total}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic crops")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--augment", default="default")
    parser.add_argument("--misses", type=int, default=0, help="list this many real misses")
    parser.add_argument("--diagnose", action="store_true",
                        help="sort the synthetic misses by kind (slower)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with the thread's CPU clock (for a busy machine)")
    parser.add_argument("--endtoend", action="store_true",
                        help="also the crops the segmented backend reads in the endtoend "
                             "photos (about a minute)")
    add_label_argument(parser)
    args = parser.parse_args(argv)
    if args.cpu_time:
        global CLOCK
        CLOCK = time.thread_time
    cv2.setNumThreads(1)
    segment_characters(np.full((60, 120, 3), 200, np.uint8))  # warm-up

    if args.synthetic > 0:  # --synthetic 0: the real crops only
        rate, times, by_style = synthetic(args.synthetic, args.seed, args.augment,
                                          args.diagnose)
        print(f"synthetic ({args.synthetic} crops, seed {args.seed}, augment {args.augment}): "
              f"exact characters {100 * rate:.1f}%  median {1e3 * np.median(times):.2f} ms")
        for style, (ok, n) in sorted(by_style.items()):
            print(f"  {style:12s} {100 * ok / n:5.1f}% of {n}")
        print(f"  {fonts_used()}")
    if (args.data / "seg_and_ocr").is_dir():
        rate, times, n = real(args.data, args.misses, args.raw_labels)
        print(f"real seg_and_ocr ({n} crops): count = label length {100 * rate:.1f}%  "
              f"median {1e3 * np.median(times):.2f} ms  p90 "
              f"{1e3 * np.percentile(times, 90):.2f} ms")
        print(f"  {describe_labels(args.raw_labels)}")
    else:
        print(f"real crops not found under {args.data}; skipped")
    if args.endtoend:
        regions = [r for r in ("us", "eu", "br") if (args.data / "endtoend" / r).is_dir()]
        endtoend(args.data, regions, args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
