"""Measure how fast platechar.synth makes plate crops.

Prints crops per second for each output size: made in memory by one process and by
``--workers`` processes (what training through a generator/PyDataset gets), and
written as PNG (level 1, the default), JPEG (quality 95) and stored PNG files
(``--png-compression 0``) with labels.csv + labels.jsonl (the ``platechar synth crops``
path) by ``--workers`` processes. Wall-clock figures
including process start-up; the machine's other load counts against them, so run it
on a quiet machine. Each figure is the median of ``--repeat`` runs (this VM's speed
wanders by 20% from minute to minute). ``--out /dev/shm`` writes to memory, which
separates the library's own cost from the disk's. Every run's files are kept until the
end, and the first run waits until creating a file costs a steady amount: some disks
stay slow for a minute or more after mass deletions (:func:`settle`), a cost of the
clean-up, not of writing. ``--repeat 3`` keeps about 3.4 GB of files until the end. The
goal: at least 1,000 crops/s on 2 cores.

``--png-encoders`` compares the two PNG encoders of the default files on the same crops
instead: OpenCV's zlib (level 1, run-length matching, SUB filter) and
``platechar.synth.png`` (the SUB filter and ISA-L's deflate at level 1, and at levels 0
and 2 to show why 1), milliseconds per crop and kilobytes per file, alternating
``--rounds`` times in one process.

``--against TREE`` compares this checkout with another one (for example
``git worktree add /tmp/before HEAD~1``) instead: milliseconds per crop made in one
process, the two trees' runs alternating ``--rounds`` times so that the VM's drift
falls on both alike; it prints each tree's fastest and median run and their ratio.

    python benchmarks/bench_synth.py [--count 10000] [--workers 2] [--sizes 128x32,256x64]
                                     [--repeat 3] [--out DIR]
    python benchmarks/bench_synth.py --against TREE [--rounds 6] [--count 1500]
    python benchmarks/bench_synth.py --png-encoders [--count 500] [--rounds 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from platechar.synth.dataset import make_item, make_spec, map_items  # noqa: E402
from platechar.synth.fonts import default_cache, discover_fonts  # noqa: E402
from platechar.synth.png import available as fast_png_available  # noqa: E402
from platechar.synth.png import encode_png  # noqa: E402
from platechar.synth.writers import PNG_COMPRESSION, opencv_png_params, write_crops  # noqa: E402


def one_process(spec, n: int) -> float:
    t = time.perf_counter()
    for i in range(n):
        make_item(spec, i)
    return n / (time.perf_counter() - t)


def in_memory(spec, n: int, workers: int) -> float:
    t = time.perf_counter()
    for _ in map_items(spec, 0, n, workers=workers):
        pass
    return n / (time.perf_counter() - t)


BUSY_DISK_MS = 0.1
"""A file-creation probe above this says the disk is busy (this VM when calm: 0.03-0.06)."""
KEPT: list[tempfile.TemporaryDirectory] = []
"""The written runs' folders, deleted only after the last measurement (see settle())."""


WORKER_CPU: dict[tuple, list[tuple[float, float]]] = {}
"""Per written format, the worker processes' (user, kernel) CPU ms per crop of each run."""


def _children_cpu() -> tuple[float, float]:
    """User and kernel CPU seconds of the finished child processes (0, 0 off Unix)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0, 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def written(spec, n: int, workers: int, fmt: str, out, png_compression: int | None) -> float:
    level = {} if png_compression is None else {"png_compression": png_compression}
    tmp = tempfile.TemporaryDirectory(dir=out)
    KEPT.append(tmp)
    cpu = _children_cpu()
    t = time.perf_counter()
    write_crops(spec, tmp.name, n, workers=workers, fmt=fmt, **level)
    rate = n / (time.perf_counter() - t)
    # the pool has joined its workers, so their CPU time is in the children's account now
    user, kernel = (after - before for after, before in zip(_children_cpu(), cpu, strict=True))
    WORKER_CPU.setdefault((fmt, png_compression), []).append((user / n * 1e3,
                                                               kernel / n * 1e3))
    return rate


def settle(out, limit_s: float = 120.0) -> float:
    """Wait until creating files under ``out`` costs a steady amount.

    Deleting thousands of files makes new ones slow to create for minutes on some disks
    (this VM's ext4 is mounted with ``discard``: a probe read 0.56 ms a file some minutes
    after a run's 2.6 GB were deleted, against 0.03-0.06 ms when calm). A user writing one
    dataset does not pay for deletions made before, so the benchmark waits for them to
    pass before its first run and keeps every run's files until the end instead of
    deleting them in between. Probes every 2 s until two in a row agree within 25% or
    0.02 ms (at most ``limit_s``); returns the seconds waited. "Steady" is not "fast":
    the line printed before the table says what a file cost when the runs began.
    """
    t = time.perf_counter()
    prev = None
    while time.perf_counter() - t < limit_s:
        ms = file_creation_ms(out, 200)
        if prev is not None and abs(ms - prev) <= max(0.25 * prev, 0.02):
            break
        prev = ms
        time.sleep(2.0)
    return time.perf_counter() - t


_TIME_ONE_PROCESS = """
import sys, time, cv2
cv2.setNumThreads(1)
from platechar.synth.dataset import make_item, make_spec
spec = make_spec("crops", seed=1, augment=sys.argv[2], size=sys.argv[1])
for i in range(500):
    make_item(spec, 10_000_000 + i)
n = int(sys.argv[3])
t = time.perf_counter()
for i in range(n):
    make_item(spec, i)
print((time.perf_counter() - t) / n * 1e3)
"""


def against(tree: Path, sizes: list[str], augment: str, count: int, rounds: int) -> None:
    """Alternate one-process runs of this checkout and ``tree``; print ms per crop."""
    here = Path(__file__).resolve().parents[1]
    trees = {"this checkout": here, str(tree): tree.resolve()}
    print(f"ms per crop made in one process, augment={augment}, {count} crops a run, "
          f"{rounds} alternating rounds (fastest / median)")
    for size in sizes:
        ms: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(rounds):
            for name, root in trees.items():
                env = dict(os.environ, PYTHONPATH=str(root))
                out = subprocess.run([sys.executable, "-c", _TIME_ONE_PROCESS, size, augment,
                                      str(count)], env=env, cwd=root, capture_output=True,
                                     text=True, check=True)
                ms[name].append(float(out.stdout.split()[-1]))
        (a, ra), (b, rb) = ms.items()
        for name, runs in ms.items():
            print(f"{size:>9}  {name:40s} {min(runs):.3f} / {statistics.median(runs):.3f}")
        print(f"{size:>9}  ratio, this / other: {min(ra) / min(rb):.2f} fastest, "
              f"{statistics.median(ra) / statistics.median(rb):.2f} median")


def png_encoders(sizes: list[str], augment: str, count: int, rounds: int) -> None:
    """Time OpenCV's PNG encoder against platechar.synth.png on the same crops."""
    if not fast_png_available():
        print("the isal package is not installed: the writers use OpenCV's PNG encoder")
        return
    params = opencv_png_params(PNG_COMPRESSION)
    opencv, ours = "OpenCV (zlib level 1, RLE, SUB)", "platechar.synth.png (SUB, ISA-L level 1)"
    encoders = {opencv: lambda im: cv2.imencode(".png", im, params)[1], ours: encode_png,
                "  the same at ISA-L level 0": lambda im: encode_png(im, 0),
                "  the same at ISA-L level 2": lambda im: encode_png(im, 2)}
    print(f"PNG encoders on {count} crops (augment={augment}), {rounds} alternating rounds; "
          "ms per crop (fastest / median) and KB per file")
    for size in sizes:
        spec = make_spec("crops", seed=1, augment=augment, size=size)
        crops = [make_item(spec, i).image for i in range(count)]
        ms: dict[str, list[float]] = {name: [] for name in encoders}
        kb = {}
        for _ in range(rounds):
            for name, encode in encoders.items():
                t = time.perf_counter()
                total = sum(len(encode(im)) for im in crops)
                ms[name].append((time.perf_counter() - t) / count * 1e3)
                kb[name] = total / count / 1e3
        for name, runs in ms.items():
            print(f"{size:>9}  {name:42s} {min(runs):.3f} / {statistics.median(runs):.3f} ms"
                  f"  {kb[name]:.1f} KB")
        ra, rb = ms[opencv], ms[ours]
        print(f"{size:>9}  OpenCV / platechar.synth.png: {min(ra) / min(rb):.2f}x fastest, "
              f"{statistics.median(ra) / statistics.median(rb):.2f}x median")


def file_creation_ms(out, n: int = 500) -> float:
    """Milliseconds to create and write one small file in a fresh folder under ``out``.

    On this machine's ext4 disk the kernel charges anywhere from 0.03 to 0.9 ms of CPU
    per new file, most just after many files were deleted (see :func:`settle`), which
    can be more than making and encoding a crop; printing it says how much of the
    written rate is the disk's.
    """
    payload = bytes(20000)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        t = time.perf_counter()
        for i in range(n):
            Path(tmp, f"probe_{i:05d}.png").write_bytes(payload)
        return (time.perf_counter() - t) / n * 1e3


def _median(repeat: int, measure, *args) -> float:
    return statistics.median(measure(*args) for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=None,
                        help="crops per measurement (10000; with --against 1500)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sizes", default="128x32,256x64")
    parser.add_argument("--augment", default="default")
    parser.add_argument("--out", type=Path, default=None,
                        help="write into a temporary folder under this one (default: system temp)")
    parser.add_argument("--against", type=Path, default=None, metavar="TREE",
                        help="compare one-process speed with another checkout of platechar")
    parser.add_argument("--rounds", type=int, default=6,
                        help="with --against or --png-encoders: alternations")
    parser.add_argument("--png-encoders", action="store_true",
                        help="compare OpenCV's PNG encoder with platechar.synth.png instead")
    args = parser.parse_args(argv)
    if args.png_encoders:
        cv2.setNumThreads(1)
        png_encoders(args.sizes.split(","), args.augment, args.count or 500, max(1, args.rounds))
        return 0
    if args.against is not None:
        if not (args.against / "platechar" / "synth").is_dir():
            parser.error(f"{args.against} is not a platechar checkout (no platechar/synth)")
        against(args.against, args.sizes.split(","), args.augment, args.count or 1500,
                max(1, args.rounds))
        return 0
    args.count = args.count or 10000
    cv2.setNumThreads(1)  # as in the workers: one process per core

    default_cache().warm(discover_fonts("all"))
    w = args.workers
    print(f"platechar.synth crops, augment={args.augment}, {args.count} per run, "
          f"{os.cpu_count()} CPU cores, {w} workers; crops per second, wall clock")
    where = args.out or Path(tempfile.gettempdir())
    print("PNG level 1 encoded by " + ("platechar.synth.png (ISA-L's deflate)"
                                       if fast_png_available() else "OpenCV (isal missing)"))
    first = file_creation_ms(where)
    waited = settle(where)
    settled = file_creation_ms(where)
    print(f"files written under {where}, where creating a 20 KB file took {first:.2f} ms, "
          f"{settled:.2f} ms after waiting {waited:.0f} s for it to settle; "
          "every run's files are kept until the end")
    if settled > BUSY_DISK_MS:
        print(f"  over {BUSY_DISK_MS} ms: the disk is still busy, most likely with files "
              "deleted in the last minutes (a calm disk here: 0.03-0.06 ms); the written "
              "rates below will be low")
    print(f"{'size':>9}{'memory, 1 proc':>16}{f'memory, {w} procs':>18}"
          f"{f'PNG files, {w}':>16}{f'JPG files, {w}':>16}{f'stored PNG, {w}':>17}")
    worst = None
    for size in args.sizes.split(","):
        spec = make_spec("crops", seed=1, augment=args.augment, size=size)
        n1 = max(200, args.count // 4)
        for i in range(500):  # warm the glyph cache (the first few hundred crops fill it)
            make_item(spec, 10_000_000 + i)

        reps = max(1, args.repeat)
        mem1 = _median(reps, one_process, spec, n1)
        memw = _median(reps, in_memory, spec, args.count, w)
        rates = [_median(reps, written, spec, args.count, w, fmt, args.out, level)
                 for fmt, level in (("png", PNG_COMPRESSION), ("jpg", None), ("png", 0))]
        worst = min(rates[:2]) if worst is None else min(worst, *rates[:2])
        print(f"{size:>9}{mem1:>14.0f}/s{memw:>16.0f}/s{rates[0]:>14.0f}/s{rates[1]:>14.0f}/s"
              f"{rates[2]:>15.0f}/s", flush=True)
        cpu = {name: WORKER_CPU.pop(key, []) for name, key in
               (("PNG", ("png", PNG_COMPRESSION)), ("JPG", ("jpg", None)), ("stored", ("png", 0)))}
        if any(user for runs in cpu.values() for user, _ in runs):
            parts = [f"{name} {statistics.median(u for u, _ in runs):.2f} + "
                     f"{statistics.median(k for _, k in runs):.2f}" for name, runs in cpu.items()]
            print("           workers' CPU per crop written, user + kernel ms (median): "
                  + ", ".join(parts))
    size_gb = sum(f.stat().st_size for tmp in KEPT for f in Path(tmp.name).iterdir()) / 1e9
    print(f"creating a 20 KB file under {where} now takes {file_creation_ms(where):.2f} ms; "
          f"deleting the runs' {size_gb:.1f} GB of files")
    for tmp in KEPT:
        tmp.cleanup()
    verdict = "meets" if worst >= 1000 else "misses"
    print(f"slowest written rate with the default files (PNG level 1, JPEG quality 95) "
          f"{worst:.0f}/s: {verdict} the 1,000 crops/s goal (process start-up included; file "
          "creation speed depends on the disk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
