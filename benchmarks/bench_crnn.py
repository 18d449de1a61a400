"""How well and how fast the holistic CRNN reads, beside OpenALPR on the same real crops.

Reproduce (the figures in the README)::

    python benchmarks/bench_crnn.py                 # accuracy + speed, ~2 minutes
    python benchmarks/bench_crnn.py --no-speed      # accuracy only
    python benchmarks/bench_crnn.py --write-train-csv runs/real_train.csv
        # the real *train* part as a filename,text CSV (outside the repo), for training

Measures, with the shipped model (or ``--model path/to/crnn.onnx``):

* **synthetic**: exact plates on ``--synth`` fresh plates (a seed never used in training,
  the default style mix and realism, or ``--augment light`` for plates as clean as a good
  photo), overall, per style, and the misses by kind (:data:`MISS_KINDS`);
* **real**: the test part of ``seg_and_ocr`` (155 US crops the model never saw): exact,
  exact with letter O and digit 0 taken as one (the labels write 0 for both), and CER;
  OpenALPR's recorded reads of the same crops, scored the same way;
* **speed** (after warm-up, on this machine): one crop at a time through the backend
  (preprocess + ONNX Runtime + decode, median ms), batches of 64 (crops/s, 1 and 2
  threads), and the same network through Keras ``model.predict`` and a ``tf.function``
  in the same run, with the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    describe_labels,
    fonts_used,
    o_is_0,
    print_paired,
    read_recorded_reads,
    read_seg_and_ocr,
    score,
    write_labels_csv,
)


def bench_synthetic(recognizer, n: int, seed: int, augment: str = "default"
                    ) -> tuple[list, list[str], list[str]]:
    """Print the synthetic figures; return the crops, their true texts and the texts
    read."""
    from platechar.synth import generate_plates

    plates = generate_plates(n, seed=seed, augment=augment, workers=0)
    readings = recognizer.recognize_batch([p.image for p in plates])
    by_style: dict[str, list[bool]] = defaultdict(list)
    for plate, reading in zip(plates, readings, strict=True):
        by_style[plate.style].append(plate.text == reading.text)
    right = sum(sum(v) for v in by_style.values())
    loose = sum(o_is_0(p.text) == o_is_0(r.text) for p, r in zip(plates, readings, strict=True))
    print(f"synthetic (seed {seed}, default mix, augment {augment}): {right}/{n} = "
          f"{right / n:.1%} exact, {loose / n:.1%} with O=0 (some plate fonts draw them alike)")
    for style, hits in sorted(by_style.items()):
        print(f"  {style:12s} {sum(hits):4d}/{len(hits):<4d} {sum(hits) / len(hits):6.1%}")
    wrong = [(p.text, r.text) for p, r in zip(plates, readings, strict=True)
             if p.text != r.text][:10]
    print("  misread:", ", ".join(f"{t}->{r or '-'}" for t, r in wrong))
    kinds = Counter(kind_of_miss(p.text, p.layout, r.text)
                    for p, r in zip(plates, readings, strict=True) if p.text != r.text)
    print("  misses by kind:", ", ".join(f"{kinds[k]} {k}" for k in MISS_KINDS) or "none")
    print_misses_by_font(plates, readings)
    print(f"  {fonts_used()}")
    return [p.image for p in plates], [p.text for p in plates], [r.text for r in readings]


MISS_KINDS = ("only O/0", "only I/1 (and O/0)", "a line left out", "other")
"""How a synthetic plate was misread, from the shapes alike to the model's own mistakes:
the reading is right but for ``O`` and ``0`` (which squeezed fonts and Brazil's old plates
draw alike), or but for ``I`` and ``1`` as well (Brazil's bar); it is one line of a
two-line plate (within one character), the other left out; or anything else."""


def kind_of_miss(text: str, layout: str, read: str) -> str:
    """Which of :data:`MISS_KINDS` a misreading ``read`` of the plate ``text`` is;
    ``layout`` is the plate as drawn (``|`` between lines, see ``platechar.synth``)."""
    from platechar.metrics import edit_distance

    if o_is_0(read) == o_is_0(text):
        return MISS_KINDS[0]
    if o_is_0(read).replace("I", "1") == o_is_0(text).replace("I", "1"):
        return MISS_KINDS[1]
    lines = ["".join(c for c in line if c.isalnum()) for line in layout.split("|")]
    if len(lines) > 1 and any(edit_distance(read, line) <= 1 for line in lines):
        return MISS_KINDS[2]
    return MISS_KINDS[3]


def misses_by_font(plates, readings) -> dict[str, tuple[int, int, int]]:
    """For each font, the plates it drew, how many were misread and how many of those
    only between ``O`` and ``0``, most drawn first. It tells whether the look-alike misses
    gather in the fonts that draw the two alike (a monospaced or Hershey ``O`` is about as
    narrow as its ``0``); for the CRNN shipped on 2026-11-24 they did not (3,000 plates,
    3-10 in each font; benchmarks/HISTORY.md)."""
    drawn: Counter = Counter(p.font for p in plates)
    missed: Counter = Counter()
    only_o: Counter = Counter()
    for plate, reading in zip(plates, readings, strict=True):
        if plate.text != reading.text:
            missed[plate.font] += 1
            only_o[plate.font] += kind_of_miss(plate.text, plate.layout,
                                               reading.text) == MISS_KINDS[0]
    return {font: (n, missed[font], only_o[font]) for font, n in drawn.most_common()}


def print_misses_by_font(plates, readings) -> None:
    print(f"  by font: {'plates':>6s} {'missed':>6s} {'O/0':>4s}")
    for font, (n, missed, only_o) in misses_by_font(plates, readings).items():
        print(f"    {font:28s} {n:6d} {missed:6d} {only_o:4d}")


VANITY_RULE = "4+ letters, 4+ in a row with 0s"


def is_vanity(label: str) -> bool:
    """Whether a real label is a vanity plate, a word rather than a serial: four or more
    letters, four or more of them in a row (the labels write letter O as 0, so a 0 may
    stand in the row). ``BL0GGER``, ``IM4REAL``, ``GUTSY`` are; ``7BPD06``, ``ABC1234``
    are not."""
    return sum(c.isalpha() for c in label) >= 4 and re.search(r"[A-Z0]{4,}", label) is not None


def bench_real(recognizer, root: Path, raw_labels: bool = False
               ) -> tuple[list, list[str], list[str]]:
    """Print the real crops' figures; return the crops, their true texts and the texts
    read."""
    crops = read_seg_and_ocr(root, part="test", corrected=not raw_labels)
    recorded = read_recorded_reads(root)
    truth = [c.text for c in crops]
    images = [cv2.imread(str(c.image_path)) for c in crops]
    ours = [r.text for r in recognizer.recognize_batch(images)]
    whole = [r.text for r in recognizer.recognize_batch(images, two_line=False)]
    theirs = [recorded.get(c.image_path.name, "") for c in crops]
    print(f"real test part ({len(crops)} US crops of seg_and_ocr, never trained on):")
    print(f"  {'':10s} {'exact':>7s} {'O=0':>7s} {'CER':>7s}")
    for name, reads in (("holistic", ours), ("  no split", whole), ("OpenALPR", theirs)):
        s = score(reads, truth)
        print(f"  {name:10s} {s['exact']:7.1%} {s['exact_o0']:7.1%} {s['cer']:7.3f}")
    print(f"  {describe_labels(raw_labels)}")
    for name, group in (("vanity", True), ("serial", False)):
        picked = [(t, r, o) for t, r, o in zip(truth, ours, theirs, strict=True)
                  if is_vanity(t) == group]
        print(f"  {name} plates ({VANITY_RULE if group else 'the rest'}): holistic "
              f"{sum(t == r for t, r, _ in picked)}/{len(picked)}, OpenALPR "
              f"{sum(t == o for t, _, o in picked)}/{len(picked)}")
    print_paired([t == r for t, r in zip(truth, ours, strict=True)],
                 [t == r for t, r in zip(truth, theirs, strict=True)],
                 "OpenALPR (its recorded reads)")
    wrong = [(t, r) for t, r in zip(truth, ours, strict=True) if o_is_0(t) != o_is_0(r)]
    print(f"  holistic misreads (O=0): {len(wrong)}: "
          + ", ".join(f"{t}->{r or '-'}" for t, r in wrong[:20]))
    return images, truth, ours


def against(ours: list[str], other, other_path: Path, images, truth) -> None:
    """Both models on the same plates, plate by plate (an exact McNemar test), and the
    plates only one of them reads; ``ours`` are this model's readings."""
    theirs = [r.text for r in other.recognize_batch(images)]
    print_paired([o == t for o, t in zip(ours, truth, strict=True)],
                 [o == t for o, t in zip(theirs, truth, strict=True)], str(other_path))
    for line in only_one_reads(truth, ours, theirs):
        print(f"    {line}")


def only_one_reads(truth: list[str], ours: list[str], theirs: list[str], most: int = 12
                   ) -> list[str]:
    """Two lines naming the plates only this model and only the other reads, each with
    what the model that missed it read (``7BPD06 (7BP006)``), at most ``most`` each."""
    lines = []
    for name, mine, other in (("this one", ours, theirs), ("that one", theirs, ours)):
        only = [f"{t} ({o or '-'})" for t, m, o in zip(truth, mine, other, strict=True)
                if m == t and o != t]
        more = f" and {len(only) - most} more" if len(only) > most else ""
        lines.append(f"only {name}: " + (", ".join(only[:most]) + more if only else "none"))
    return lines


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _rate(fn, batch: int, seconds: float = 3.0) -> float:
    fn()
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        done += batch
    return done / (time.perf_counter() - started)


def bench_speed(model_path: Path, repeats: int) -> None:
    from platechar.backends.holistic import load
    from platechar.synth import generate_plates

    crops = [p.image for p in generate_plates(64, seed=99, size=(240, 120))]
    one = load(model_path, threads=1)
    two = load(model_path, threads=2)
    for crop in crops[:10]:
        one.recognize(crop)
    cycle = iter(range(10**9))
    single = _median_ms(lambda: one.recognize(crops[next(cycle) % len(crops)]), repeats)
    from classifier.crnn import preprocess

    x1 = preprocess(crops[0], one.height, one.width)[None]
    net_single = _median_ms(lambda: one.model(x1), repeats)
    batch_1 = _rate(lambda: one.recognize_batch(crops), len(crops))
    batch_2 = _rate(lambda: two.recognize_batch(crops), len(crops))
    print(f"speed ({os.cpu_count()} cores; crops 240x120 BGR; median of {repeats}):")
    print(f"  ONNX Runtime, one crop (preprocess+network+decode, two-line retry when "
          f"unsure; 64 different crops): {single:.2f} ms "
          f"(network alone {net_single:.2f} ms)")
    print(f"  ONNX Runtime, batches of 64: {batch_1:,.0f} crops/s on 1 thread, "
          f"{batch_2:,.0f} on 2")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    from classifier.train_crnn import load_crnn

    model = load_crnn(model_path.with_suffix(".keras")).prediction
    x = preprocess(crops[0])[None]
    model.predict(x, verbose=0)
    predict_ms = _median_ms(lambda: model.predict(x, verbose=0), max(10, repeats // 10))
    fn = tf.function(lambda t: model(t, training=False), reduce_retracing=True)
    fn(tf.constant(x))
    tf_ms = _median_ms(lambda: fn(tf.constant(x)).numpy(), max(20, repeats // 5))
    xb = np.stack([preprocess(c) for c in crops])
    tf_rate = _rate(lambda: fn(tf.constant(xb)).numpy(), len(crops))
    print(f"  Keras model.predict, one crop: {predict_ms:.1f} ms "
          f"({predict_ms / net_single:.0f}x ONNX's network)")
    print(f"  tf.function, one crop: {tf_ms:.2f} ms ({tf_ms / net_single:.1f}x ONNX's network); "
          f"batches of 64: {tf_rate:,.0f} crops/s (ONNX backend on 2 threads: "
          f"{batch_2 / tf_rate:.2f}x that, decoding included)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="the openalpr-benchmarks folder (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None,
                        help="a crnn.onnx (its .keras and .json beside it); default: shipped")
    parser.add_argument("--against", metavar="MODEL", default=None,
                        help="another crnn.onnx, or 'shipped', to compare with plate by plate")
    parser.add_argument("--synth", type=int, default=1000, help="fresh synthetic plates")
    parser.add_argument("--seed", type=int, default=777, help="their seed (not a training one)")
    parser.add_argument("--augment", default="default",
                        help="their realism: none, light, default (as trained on) or heavy")
    parser.add_argument("--repeats", type=int, default=300, help="timing repeats")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--write-train-csv", type=Path, metavar="CSV",
                        help="only write the real train part as a filename,text CSV")
    add_label_argument(parser)
    args = parser.parse_args()
    if args.write_train_csv:  # the same file as split_seg_and_ocr.py's train.csv
        train = read_seg_and_ocr(args.root, part="train", corrected=not args.raw_labels)
        path = write_labels_csv(train, args.write_train_csv)
        print(f"wrote {path}: the real train-part crops (paths outside the repo)")
        return 0
    from platechar.backends.holistic import WEIGHTS, load

    model_path = args.model or WEIGHTS
    recognizer = load(model_path)
    info = recognizer.info
    print(f"model {model_path} ({info.get('parameters', '?')} parameters, "
          f"{model_path.stat().st_size / 1e6:.1f} MB ONNX, input "
          f"{'x'.join(map(str, info['input_shape']))})")
    other_path = None if args.against is None else (
        WEIGHTS if args.against == "shipped" else Path(args.against))
    other = None if other_path is None else load(other_path)
    if args.synth:
        images, truth, read = bench_synthetic(recognizer, args.synth, args.seed, args.augment)
        if other is not None:
            against(read, other, other_path, images, truth)
    if args.root.is_dir():
        images, truth, read = bench_real(recognizer, args.root, args.raw_labels)
        if other is not None:
            against(read, other, other_path, images, truth)
    else:
        print(f"real crops: {args.root} not found, skipped")
    if not args.no_speed:
        bench_speed(model_path, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
