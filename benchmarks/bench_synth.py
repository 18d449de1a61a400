"""Measure how fast platechar.synth makes plate crops.

Prints crops per second for each output size: made in memory by one process and by
``--workers`` processes (what training through a generator/PyDataset gets), and
written as PNG and as JPEG files (images + labels.csv + labels.jsonl, the
``platechar synth crops`` path) by ``--workers`` processes. Wall-clock figures
including process start-up; the machine's other load counts against them, so run it
on a quiet machine. The goal: at least 1,000 crops/s on 2 cores.

    python benchmarks/bench_synth.py [--count 4000] [--workers 2] [--sizes 128x32,256x64]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from platechar.synth.dataset import make_item, make_spec, map_items  # noqa: E402
from platechar.synth.fonts import default_cache, discover_fonts  # noqa: E402
from platechar.synth.writers import write_crops  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=4000, help="crops per measurement")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sizes", default="128x32,256x64")
    parser.add_argument("--augment", default="default")
    parser.add_argument("--out", type=Path, default=None,
                        help="write into a temporary folder under this one (default: system temp)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # as in the workers: one process per core

    default_cache().warm(discover_fonts("all"))
    w = args.workers
    print(f"platechar.synth crops, augment={args.augment}, {args.count} per run, "
          f"{os.cpu_count()} CPU cores, {w} workers; crops per second, wall clock")
    print(f"{'size':>9}{'memory, 1 proc':>16}{f'memory, {w} procs':>18}"
          f"{f'PNG files, {w}':>16}{f'JPG files, {w}':>16}")
    worst = None
    for size in args.sizes.split(","):
        spec = make_spec("crops", seed=1, augment=args.augment, size=size)
        n1 = max(200, args.count // 4)
        for i in range(50):  # warm the glyph cache
            make_item(spec, 10_000_000 + i)
        t = time.perf_counter()
        for i in range(n1):
            make_item(spec, i)
        mem1 = n1 / (time.perf_counter() - t)
        t = time.perf_counter()
        for _ in map_items(spec, 0, args.count, workers=w):
            pass
        memw = args.count / (time.perf_counter() - t)
        rates = []
        for fmt in ("png", "jpg"):
            with tempfile.TemporaryDirectory(dir=args.out) as tmp:
                t = time.perf_counter()
                write_crops(spec, tmp, args.count, workers=w, fmt=fmt)
                rates.append(args.count / (time.perf_counter() - t))
        worst = min(rates) if worst is None else min(worst, *rates)
        print(f"{size:>9}{mem1:>14.0f}/s{memw:>16.0f}/s{rates[0]:>14.0f}/s{rates[1]:>14.0f}/s")
    verdict = "meets" if worst >= 1000 else "misses"
    print(f"slowest written rate {worst:.0f}/s: {verdict} the 1,000 crops/s goal "
          "(process start-up included; file creation speed depends on the disk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
