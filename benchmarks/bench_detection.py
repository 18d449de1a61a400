"""Measure plate detection on the OpenALPR end-to-end photos.

A plate counts as found when a candidate's box overlaps the labelled box with
IoU > 0.4 (OpenALPR's own rule). Prints recall of the best candidate (top-1) and of
the best three (top-3) for each region; *whole*, the share whose best candidate also
spans at least 90% of the labelled plate's width (a box that overlaps enough but cuts
off the first characters counts as found, yet cannot be read); and the time per image on one core
(OpenCV limited to one thread), median over the 1280x720 photos and over all:
wall-clock, and the CPU time of the detecting thread (which other programs on the
machine do not inflate).

    python benchmarks/bench_detection.py [--data ../shared/data/openalpr-benchmarks]
                                         [--synthetic 100 --seed 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from benchmarks._data import DEFAULT_ROOT, read_endtoend  # noqa: E402
from detection import detect_plates, iou, width_covered  # noqa: E402


def synthetic(count: int, seed: int) -> None:
    """The same counts on synthetic scenes (``platechar.synth``, bundled fonts)."""
    from platechar import synth

    top1 = whole = top3 = 0
    for scene in synth.generate_scenes(count, seed=seed, fonts="bundled"):
        candidates = detect_plates(scene.image, max_candidates=3)
        hits = [iou(c.box, scene.box) > 0.4 for c in candidates]
        first = bool(hits[:1] and hits[0])
        top1 += first
        top3 += any(hits)
        whole += first and width_covered(candidates[0].box, scene.box) >= 0.9
    shares = "".join(f"{100 * k / count:>8.1f}%" for k in (top1, whole, top3))
    print(f"{'synth':<7}{count:>7}{shares}   (seed {seed})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--regions", default="us,eu,br")
    parser.add_argument("--misses", action="store_true", help="list the photos missed at top-3")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also count N synthetic scenes (seed --seed)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)

    print(f"{'region':<7}{'photos':>7}{'top-1':>9}{'whole':>9}{'top-3':>9}{'ms median':>11}"
          f"{'ms 1280x720':>13}")
    all_times, hd_times, hd_cpu = [], [], []
    for region in args.regions.split(","):
        scenes = read_endtoend(args.data, region)
        if not scenes:  # e.g. only --synthetic on a machine without the photos
            print(f"{region:<7} no photos under {args.data / 'endtoend' / region}; skipped")
            continue
        top1 = top3 = whole = 0
        times, times_hd, misses = [], [], []
        for scene in scenes:
            image = cv2.imread(str(scene.image_path))
            start, start_cpu = time.perf_counter(), time.thread_time()
            candidates = detect_plates(image, max_candidates=3)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            if image.shape[:2] == (720, 1280):
                times_hd.append(elapsed)
                hd_cpu.append(time.thread_time() - start_cpu)
            hits = [iou(c.box, scene.box) > 0.4 for c in candidates]
            first = bool(hits[:1] and hits[0])
            top1 += first
            top3 += any(hits[:3])
            whole += first and width_covered(candidates[0].box, scene.box) >= 0.9
            if not any(hits[:3]):
                misses.append(scene.image_path.name)
        all_times += times
        hd_times += times_hd
        n = len(scenes)
        hd = f"{1000 * statistics.median(times_hd):.1f}" if times_hd else "-"
        shares = "".join(f"{100 * k / n:>8.1f}%" for k in (top1, whole, top3))
        print(f"{region:<7}{n:>7}{shares}"
              f"{1000 * statistics.median(times):>11.1f}{hd:>13}")
        if args.misses and misses:
            print("  missed:", " ".join(misses))
    if all_times:
        hd = (f"; 1280x720 photos ({len(hd_times)}): median "
              f"{1000 * statistics.median(hd_times):.1f} ms wall, "
              f"{1000 * statistics.median(hd_cpu):.1f} ms CPU (one core)") if hd_times else ""
        print(f"all photos: median {1000 * statistics.median(all_times):.1f} ms{hd}")
    if args.synthetic:
        synthetic(args.synthetic, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
