"""Both backends and the peers that run here, on the same real crops, in the same run.

    python benchmarks/bench_peers.py                 # the 155 held-out seg_and_ocr crops
    python benchmarks/bench_peers.py --part all      # all 359 (the CRNN was fine-tuned
                                                     # on the other 204: not a fair row)
    python benchmarks/bench_peers.py --region us     # the backends under US plate syntax

Rows:

- **segmented** and **holistic**: ``platechar.evaluation.compare`` on the crops, one
  crop at a time (model loaded; ONNX Runtime and OpenCV on one thread);
- **Tesseract** (Debian's ``tesseract-ocr`` through ``pytesseract``), the tutorials'
  way: gray, scaled to 100 px high, Otsu threshold, ``--psm 7`` (one text line) and
  ``--psm 8`` (one word), whitelist A-Z0-9; timed per crop like ours (one thread:
  ``OMP_THREAD_LIMIT=1``). Install: ``apt-get install tesseract-ocr`` and
  ``pip install -e .[peers]``; skipped with a note when missing;
- **OpenALPR**: its recorded reads of the same crops (``results.csv`` beside them);
  not run here, so no time.

Columns: exact plates, exact with O taken as 0 (the labels write 0 for both), CER,
and the median milliseconds per plate. Under the table, the two backends compared plate
by plate (as ``platechar compare`` prints it): the plates only one reads, both, neither.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract on one thread, like ours

import cv2  # noqa: E402

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    describe_labels,
    read_recorded_reads,
    read_seg_and_ocr,
    score,
)
from platechar.alphabet import ALPHABET  # noqa: E402
from platechar.datasets import Dataset, LabelledPlate  # noqa: E402
from platechar.evaluation import compare  # noqa: E402
from platechar.report import format_paired  # noqa: E402


def tesseract_reader(psm: int):
    """A function crop -> text through Tesseract, or ``None`` when it is not installed."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
    except Exception as exc:  # not installed: the row is skipped, with the reason
        print(f"Tesseract skipped: {exc.__class__.__name__}: {exc}")
        return None
    config = f"--psm {psm} -c tessedit_char_whitelist={ALPHABET}"

    def read(crop):
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
        scale = 100 / gray.shape[0]
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        text = pytesseract.image_to_string(binary, config=config)
        return "".join(c for c in text.upper() if c in ALPHABET)

    return read


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--part", choices=("test", "all"), default="test")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--region", default=None,
                        help="plate syntax region for the platechar rows (default: none given)")
    add_label_argument(parser)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)

    crops = read_seg_and_ocr(args.data, part=args.part, corrected=not args.raw_labels)
    truth = [c.text for c in crops]
    dataset = Dataset("crops", [LabelledPlate(c.image_path.name, c.text, c.image_path)
                                for c in crops], f"{len(crops)} seg_and_ocr crops ({args.part})")
    rows = []
    comparison = compare(dataset, progress=False, region=args.region)
    for backend, evaluation in comparison.evaluations.items():
        reads = [o.read for o in evaluation.outcomes]
        ms = 1e3 * statistics.median(o.seconds for o in evaluation.outcomes)
        rows.append((f"platechar {backend}", reads, ms))
    if not args.no_tesseract:
        images = [cv2.imread(str(c.image_path)) for c in crops]
        for psm in (7, 8):
            read = tesseract_reader(psm)
            if read is None:
                break
            reads, seconds = [], []
            for image in images:
                started = time.perf_counter()
                reads.append(read(image))
                seconds.append(time.perf_counter() - started)
            rows.append((f"Tesseract --psm {psm}", reads, 1e3 * statistics.median(seconds)))
    recorded = read_recorded_reads(args.data)
    rows.append(("OpenALPR (recorded)", [recorded.get(c.image_path.name, "") for c in crops],
                 None))

    print(f"{dataset.source}, US plates; one crop at a time, one thread")
    print(describe_labels(args.raw_labels))
    print(f"{'':22s} {'exact':>7s} {'O=0':>7s} {'CER':>7s} {'ms/plate':>9s}")
    for name, reads, ms in rows:
        s = score(reads, truth)
        timing = "-" if ms is None else f"{ms:.1f}"
        print(f"{name:22s} {s['exact']:7.1%} {s['exact_o0']:7.1%} {s['cer']:7.3f} {timing:>9s}")
    print(format_paired(comparison.paired()))  # and how many plates both, or neither, read
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
