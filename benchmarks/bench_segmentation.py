"""How well and how fast `segmentation/` cuts plates into characters.

    python benchmarks/bench_segmentation.py                 # synthetic + real, timings
    python benchmarks/bench_segmentation.py --synthetic 2000 --seed 7 --augment light
    python benchmarks/bench_segmentation.py --misses 20     # list real crops it miscounts

Figures printed:

* synthetic crops (``platechar.synth``, fresh seed, known character boxes): share of
  plates where exactly the true characters are found (as many boxes as characters, the
  i-th box overlapping the i-th true box at IoU > 0.5);
* the 359 real crops of ``seg_and_ocr`` (labels only, no boxes): share of plates where
  the number of characters found equals the label's length;
* median and 90th-percentile milliseconds per crop (one thread, after a warm-up).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import DEFAULT_ROOT, read_seg_and_ocr  # noqa: E402
from detection.geometry import iou  # noqa: E402
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


def synthetic(count: int, seed: int, augment: str) -> tuple[float, list[float], dict]:
    from platechar.synth import generate_plates

    plates = generate_plates(count, seed=seed, augment=augment, workers=0)
    hits, times, by_style = 0, [], {}
    for plate in plates:
        result, seconds = timed(plate.image)
        times.append(seconds)
        ok = exact_boxes(result.boxes, np.asarray(plate.char_boxes))
        hits += ok
        style = by_style.setdefault(plate.style, [0, 0])
        style[0] += ok
        style[1] += 1
    return hits / max(1, count), times, by_style


def real(root: Path, misses: int) -> tuple[float, list[float], int]:
    crops = read_seg_and_ocr(root)
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic crops")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--augment", default="default")
    parser.add_argument("--misses", type=int, default=0, help="list this many real misses")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time with the thread's CPU clock (for a busy machine)")
    args = parser.parse_args(argv)
    if args.cpu_time:
        global CLOCK
        CLOCK = time.thread_time
    cv2.setNumThreads(1)
    segment_characters(np.full((60, 120, 3), 200, np.uint8))  # warm-up

    rate, times, by_style = synthetic(args.synthetic, args.seed, args.augment)
    print(f"synthetic ({args.synthetic} crops, seed {args.seed}, augment {args.augment}): "
          f"exact characters {100 * rate:.1f}%  median {1e3 * np.median(times):.2f} ms")
    for style, (ok, n) in sorted(by_style.items()):
        print(f"  {style:12s} {100 * ok / n:5.1f}% of {n}")
    if (args.data / "seg_and_ocr").is_dir():
        rate, times, n = real(args.data, args.misses)
        print(f"real seg_and_ocr ({n} crops): count = label length {100 * rate:.1f}%  "
              f"median {1e3 * np.median(times):.2f} ms  p90 "
              f"{1e3 * np.percentile(times, 90):.2f} ms")
    else:
        print(f"real crops not found under {args.data}; skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
