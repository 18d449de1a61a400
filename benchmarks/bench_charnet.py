"""How well and how fast the character CNN reads: accuracy on fresh synthetic characters,
its commonest confusions, and time per call through ONNX Runtime against Keras.

Reproduce (from the repository root, in the dev venv)::

    python benchmarks/bench_charnet.py                    # shipped model, 10,000 chars, seed 2
    python benchmarks/bench_charnet.py --model runs/chars-XXXX/charnet.onnx --count 20000
    python benchmarks/bench_charnet.py --model STEM.onnx --no-keras --record  # into STEM.json

    # real characters instead: a folder per class, e.g. those harvested from the held-out
    # crops (diagnosis only: never train on them)
    platechar harvest ../shared/data/openalpr-benchmarks/seg_and_ocr/usimages \
        runs/recipe/real/test.csv runs/harvest-test
    python benchmarks/bench_charnet.py --chars runs/harvest-test --no-keras

    # how the network's size was chosen: train each size alike, then test and time it
    platechar synth chars runs/chars-20k --count 20000 --seed 3
    python benchmarks/bench_charnet.py --sizes runs/chars-20k --epochs 6

The test characters are made here with ``platechar.synth.generate_chars`` from a seed
that no training run used (the shipped model was trained on seed 1), so they are new to
the network. Timing: median of many calls on the same input after a warm-up; ONNX
Runtime with one thread (as ``CharClassifier`` opens it), Keras/TensorFlow with their
default threads. ``model.predict`` is what a naive reader would call; a ``tf.function``
is the fastest plain TensorFlow call; both are measured in the same run as ONNX Runtime.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import record_measured  # noqa: E402
from classifier.charnet import (  # noqa: E402
    ALPHABET,
    INPUT_SHAPE,
    SHIPPED_WEIGHTS,
    CharClassifier,
    to_input,
)


def median_ms(fn, repeats: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _drawn_alike(style_name: str) -> set[str]:
    """The characters a style draws with one glyph for two (see PlateStyle.glyphs)."""
    from platechar.synth.styles import get_style

    return {c for pair in get_style(style_name).glyphs for c in pair} if style_name else set()


def read_char_folder(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The gray images of a one-folder-per-class directory and their class indices.

    Every image must already be the network's input size, as harvested and synthetic
    characters are; anything else is refused rather than silently resized.
    """
    import cv2

    from classifier.train_chars import DataDirError, scan_char_dirs
    from platechar.images import load_image

    size = INPUT_SHAPE[0]
    try:
        files, names, _ = scan_char_dirs(folder)
    except DataDirError as exc:
        raise SystemExit(f"--chars: {exc}") from None
    images = []
    for path in files:
        image = cv2.cvtColor(load_image(path), cv2.COLOR_BGR2GRAY)
        if image.shape != (size, size):
            raise SystemExit(f"{path}: {image.shape[1]}x{image.shape[0]} pixels; the model "
                             f"reads {size}x{size} characters")
        images.append(image)
    return np.stack(images), np.array([ALPHABET.index(n) for n in names])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=SHIPPED_WEIGHTS,
                        help="the .onnx file (its .keras and .json beside it)")
    parser.add_argument("--count", type=int, default=10000, help="test characters (10000)")
    parser.add_argument("--seed", type=int, default=2, help="synthetic seed (2; trained on 1)")
    parser.add_argument("--workers", type=int, default=0, help="processes to make the chars")
    parser.add_argument("--chars", type=Path, metavar="DIR", default=None,
                        help="read these characters (one folder per class, as 'platechar "
                             "harvest' and 'platechar synth chars' write) instead of "
                             "making synthetic ones")
    parser.add_argument("--no-keras", action="store_true", help="time ONNX Runtime only")
    parser.add_argument("--record", action="store_true",
                        help="write the synthetic figures into the model's .json sidecar "
                             "('measured': 'synthetic_test')")
    parser.add_argument("--sizes", type=Path, metavar="DATA_DIR", default=None,
                        help="instead: train each candidate size on DATA_DIR and compare")
    parser.add_argument("--epochs", type=int, default=6, help="with --sizes: epochs each")
    args = parser.parse_args(argv)
    if args.sizes is not None:
        return compare_sizes(args)
    if args.record and args.chars is not None:
        parser.error("--record writes the synthetic test's figures; it cannot go with --chars")

    clf = CharClassifier(args.model)
    if args.chars is not None:
        images, labels = read_char_folder(args.chars)
        alike = np.zeros(len(labels), bool)
        print(f"{len(labels)} characters from {args.chars}")
    else:
        from platechar.synth.dataset import generate_chars

        t0 = time.perf_counter()
        chars = generate_chars(args.count, seed=args.seed, workers=args.workers)
        images = np.stack([c.image for c in chars])
        labels = np.array([ALPHABET.index(c.label) for c in chars])
        alike = np.array([c.label in _drawn_alike(c.style) for c in chars])
        print(f"{len(chars)} synthetic characters, seed {args.seed}, made in "
              f"{time.perf_counter() - t0:.1f} s")

    probs = np.concatenate([clf.predict(images[i:i + 512]) for i in range(0, len(images), 512)])
    pred = probs.argmax(axis=1)
    accuracy = float(np.mean(pred == labels))
    wrong = int(np.sum(pred != labels))
    print(f"\nmodel {args.model} ({clf.info.get('params', '?')} parameters; "
          f".onnx {args.model.stat().st_size / 1e6:.2f} MB, .keras "
          f"{args.model.with_suffix('.keras').stat().st_size / 1e6:.2f} MB)")
    print(f"accuracy {accuracy:.4%} ({wrong} wrong of {len(labels)})")
    if alike.any():
        print(f"  {alike.sum()} characters their style draws like another (Brazil's 1 and I, "
              f"0 and O): {np.mean(pred[alike] == labels[alike]):.2%}; all others: "
              f"{np.mean(pred[~alike] == labels[~alike]):.4%}")
    as_one = read_right_o_is_0(pred, labels)
    print(f"  with O and 0 taken as one: {np.mean(as_one):.4%}" + (
        f"; with them and the characters drawn alike left out: {np.mean(as_one[~alike]):.4%}"
        if alike.any() else ""))

    if args.record:
        record_synthetic(args.model, args.seed, pred, labels, alike)

    confusion = np.zeros((36, 36), np.int64)
    np.add.at(confusion, (labels, pred), 1)
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    print("\ncommonest confusions (true -> read: count)")
    for flat in np.argsort(-off, axis=None, kind="stable")[:12]:
        i, j = np.unravel_index(flat, off.shape)
        if off[i, j]:
            print(f"  {ALPHABET[i]} -> {ALPHABET[j]}: {off[i, j]}")
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    present = np.flatnonzero(confusion.sum(axis=1))  # real folders may lack a class (O)
    worst = present[np.argsort(per_class[present], kind="stable")[:6]]
    print("worst classes: " + ", ".join(f"{ALPHABET[k]} {per_class[k]:.2%}" for k in worst))
    confident = probs.max(axis=1)
    for level in (0.9, 0.5):
        keep = confident >= level
        if not keep.any():
            print(f"top-1 probability >= {level}: no characters")
            continue
        print(f"top-1 probability >= {level}: {keep.mean():.2%} of characters, "
              f"accuracy {np.mean(pred[keep] == labels[keep]):.4%}")

    batch8, batch1 = images[:8], images[:1]
    print("\nspeed, median ms per call (2-core machine)")
    rows = [("ONNX Runtime, CharClassifier.predict", 8, median_ms(lambda: clf.predict(batch8),
                                                                  2000)),
            ("ONNX Runtime, CharClassifier.predict", 1, median_ms(lambda: clf.predict(batch1),
                                                                  2000))]
    if not args.no_keras:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        from classifier.model_io import load_keras_model

        model = load_keras_model(args.model.with_suffix(".keras"))
        x8, x1 = to_input(batch8), to_input(batch1)
        call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        keras_probs = model.predict(to_input(images[:256]), verbose=0)
        diff = float(np.abs(keras_probs - probs[:256]).max())
        print(f"(largest |ONNX - Keras| probability difference on 256 chars: {diff:.2e})")
        rows += [("Keras model.predict", 8, median_ms(lambda: model.predict(x8, verbose=0), 50)),
                 ("Keras model.predict", 1, median_ms(lambda: model.predict(x1, verbose=0), 50)),
                 ("tf.function(model)", 8, median_ms(lambda: call(x8).numpy(), 500)),
                 ("tf.function(model)", 1, median_ms(lambda: call(x1).numpy(), 500))]
    base = {n: ms for name, n, ms in rows if name.startswith("ONNX")}
    for name, n, ms in rows:
        ratio = "" if name.startswith("ONNX") else f"   {ms / base[n]:6.1f}x ONNX Runtime"
        print(f"  {name:38s} batch {n}: {ms:8.3f} ms{ratio}")
    return 0


def read_right_o_is_0(pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Which characters are read right when O and 0 count as one class.

    The generator squeezes glyphs to as little as half their width, and US plate fonts
    draw 0 as a narrow ring: a narrow O and a 0 are then the same shape, which only the
    plate's syntax (or its reader) tells apart."""
    zero, letter_o = ALPHABET.index("0"), ALPHABET.index("O")
    return np.where(pred == letter_o, zero, pred) == np.where(labels == letter_o, zero, labels)


def record_synthetic(model: Path, seed: int, pred: np.ndarray, labels: np.ndarray,
                     alike: np.ndarray) -> None:
    """Write the synthetic test's figures into the model's sidecar (``measured``:
    ``synthetic_test``), so a shipped model says what it reads with the command that
    measured it."""
    zero, letter_o = ALPHABET.index("0"), ALPHABET.index("O")
    right, as_one = pred == labels, read_right_o_is_0(pred, labels)
    sidecar = record_measured(Path(model).with_suffix(".json"), "synthetic_test", {
        "benchmark": "python benchmarks/bench_charnet.py",
        "characters": int(len(labels)),
        "seed": seed,
        "accuracy": round(float(right.mean()), 4),
        "o_0_confusions": int(np.sum(((labels == zero) & (pred == letter_o))
                                     | ((labels == letter_o) & (pred == zero)))),
        "accuracy_o_and_0_as_one": round(float(as_one.mean()), 4),
        "drawn_alike_characters": int(alike.sum()),
        "drawn_alike_accuracy": round(float(right[alike].mean()), 4) if alike.any() else None,
        "accuracy_others": round(float(right[~alike].mean()), 4),
        "accuracy_others_o_and_0_as_one": round(float(as_one[~alike].mean()), 4),
    })
    print(f"  recorded in {sidecar}")


SIZES = [((8, 16, 32), 64), ((16, 32, 64), 128), ((32, 64, 128), 256)]
"""(filters per block, dense units) of the candidate networks; the middle one ships."""


def compare_sizes(args) -> int:
    """Train every size in SIZES alike on one folder; print test accuracy, time and size."""
    import tempfile

    from classifier.train_chars import train_char_classifier
    from platechar.synth.dataset import generate_chars

    chars = generate_chars(args.count, seed=args.seed, workers=args.workers)
    images = np.stack([c.image for c in chars])
    labels = np.array([ALPHABET.index(c.label) for c in chars])
    batch8 = images[:8]
    print(f"each size: {args.epochs} epochs on {args.sizes}, tested on {len(chars)} "
          f"characters of seed {args.seed}")
    print(f"{'filters':>14s} {'dense':>5s} {'params':>8s} {'onnx MB':>7s} {'s/epoch':>7s} "
          f"{'test acc':>8s} {'ms (8)':>7s}")
    with tempfile.TemporaryDirectory() as tmp:
        for filters, dense in SIZES:
            result = train_char_classifier([args.sizes], tmp, epochs=args.epochs,
                                           filters=filters, dense=dense, patience=args.epochs,
                                           verbose=0, version="bench")
            clf = CharClassifier(result.exported["onnx"])
            pred = np.concatenate([clf.predict(images[i:i + 512]).argmax(axis=1)
                                   for i in range(0, len(images), 512)])
            ms = median_ms(lambda clf=clf: clf.predict(batch8), 2000)
            print(f"{str(filters):>14s} {dense:5d} {clf.info['params']:8d} "
                  f"{result.exported['onnx'].stat().st_size / 1e6:7.2f} "
                  f"{result.seconds / result.epochs_run:7.1f} "
                  f"{np.mean(pred == labels):8.4f} {ms:7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
