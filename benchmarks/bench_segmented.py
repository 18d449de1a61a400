"""How well the segmented backend reads real crops, beside OpenALPR on the same crops.

    python benchmarks/bench_segmented.py            # the 155 held-out seg_and_ocr crops
    python benchmarks/bench_segmented.py --misses 20
    python benchmarks/bench_segmented.py --model runs/ft/chars-X/charnet.onnx --record
    python benchmarks/bench_segmented.py --cold 5   # also: a fresh `platechar read`, start to exit

On the test part of ``seg_and_ocr`` (crops never used for training or harvesting):
exact plates, exact with O taken as 0, CER, the share segmented into as many characters
as the label has, and the median time per crop through ``recognize`` (segmentation +
the ONNX character CNN), with OpenALPR's recorded reads scored the same way.

``--cold N`` also times N fresh processes of ``platechar read`` on a sample photo, from
start to exit, as a user's shell would run it (Python's start-up, platechar's imports,
loading the shipped model, detection and reading), for each backend.

``--record`` writes the figures into the model's JSON sidecar (``measured``), so that a
shipped character CNN says how it reads real plates, not only synthetic characters.
The sidecar is not covered by the model files' SHA-256 sums, so the model stays valid.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    describe_labels,
    o_is_0,
    print_paired,
    read_recorded_reads,
    read_seg_and_ocr,
    record_measured,
    score,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--model", type=Path, default=None,
                        help="a charnet.onnx (its .json beside it); default: shipped")
    parser.add_argument("--against", metavar="MODEL", default=None,
                        help="another charnet.onnx, or 'shipped', to compare with plate by "
                             "plate")
    parser.add_argument("--misses", type=int, default=0, help="list this many misreads")
    parser.add_argument("--record", action="store_true",
                        help="write the figures into the model's .json sidecar ('measured')")
    parser.add_argument("--cold", type=int, default=0, metavar="N",
                        help="also time N fresh `platechar read` processes on a sample photo")
    add_label_argument(parser)
    args = parser.parse_args(argv)
    from platechar.backends.segmented import load

    cv2.setNumThreads(1)
    recognizer = load(args.model)
    crops = read_seg_and_ocr(args.data, part="test", corrected=not args.raw_labels)
    truth = [c.text for c in crops]
    images = [cv2.imread(str(c.image_path)) for c in crops]
    ours, seconds = [], []
    for image in images:
        started = time.perf_counter()
        ours.append(recognizer.recognize(image).text)
        seconds.append(time.perf_counter() - started)
    recorded = read_recorded_reads(args.data)
    theirs = [recorded.get(c.image_path.name, "") for c in crops]
    counted = sum(len(r) == len(t) for r, t in zip(ours, truth, strict=True)) / len(crops)
    print(f"real test part ({len(crops)} US crops of seg_and_ocr, never trained on):")
    print(f"  {'':10s} {'exact':>7s} {'O=0':>7s} {'CER':>7s}")
    scores = {}
    for name, reads in (("segmented", ours), ("OpenALPR", theirs)):
        s = scores[name] = score(reads, truth)
        print(f"  {name:10s} {s['exact']:7.1%} {s['exact_o0']:7.1%} {s['cer']:7.3f}")
    print(f"  {describe_labels(args.raw_labels)}")
    print(f"  segmented: character count right {counted:.1%}, median "
          f"{1e3 * statistics.median(seconds):.1f} ms per crop")
    right = [r == t for r, t in zip(ours, truth, strict=True)]
    print_paired(right, [r == t for r, t in zip(theirs, truth, strict=True)],
                 "OpenALPR (its recorded reads)")
    if args.against is not None:
        other = load(None if args.against == "shipped" else Path(args.against))
        print_paired(right, [other.recognize(im).text == t
                             for im, t in zip(images, truth, strict=True)],
                     "the shipped model" if args.against == "shipped" else args.against)
    wrong = [(t, r) for t, r in zip(truth, ours, strict=True) if o_is_0(t) != o_is_0(r)]
    if args.misses:
        print("  misreads:", ", ".join(f"{t}->{r or '-'}" for t, r in wrong[:args.misses]))
    if args.record:
        ours_s, theirs_s = scores["segmented"], scores["OpenALPR"]
        sidecar = record_measured(Path(recognizer.classifier.path).with_suffix(".json"),
                                  "real_seg_and_ocr_test", {
            "benchmark": "python benchmarks/bench_segmented.py",
            "crops": len(crops),
            "exact": round(ours_s["exact"], 4),
            "exact_o_is_0": round(ours_s["exact_o0"], 4),
            "cer": round(ours_s["cer"], 4),
            "character_count_right": round(counted, 4),
            "openalpr_same_crops_exact": round(theirs_s["exact"], 4),
            "labels": "groundtruth.csv as it is" if args.raw_labels else
                      "groundtruth.csv with benchmarks/_data.py's LABEL_CORRECTIONS",
        })
        print(f"  recorded in {sidecar}")
    if args.cold:
        cold_reads(args.cold)
    return 0


SAMPLE_PHOTO = (Path(__file__).resolve().parents[1] / "sample_images" / "scenes"
                / "scene_0000000.jpg")


def cold_reads(repeats: int) -> None:
    """Median seconds of a fresh ``python -m platechar read PHOTO`` per backend with its
    shipped model, start to exit, after one untimed run that warms the disk cache."""
    print(f"cold `platechar read {SAMPLE_PHOTO.name}`, start to exit, median of {repeats}:")
    for backend in ("segmented", "holistic"):
        command = [sys.executable, "-m", "platechar", "read", str(SAMPLE_PHOTO),
                   "--backend", backend]
        times, text = [], ""
        for k in range(repeats + 1):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            if k:
                times.append(time.perf_counter() - started)
            text = done.stdout.strip()
        print(f"  {backend:10s} {statistics.median(times):5.2f} s   ({text})")


if __name__ == "__main__":
    raise SystemExit(main())
