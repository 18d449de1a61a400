"""Write the fixed train/test split of the real ``seg_and_ocr`` crops as labels CSVs.

    python benchmarks/split_seg_and_ocr.py runs/real     # -> runs/real/{train,test}.csv

Both files are ``filename,text`` for ``platechar harvest`` and the training commands
(:func:`benchmarks._data.write_labels_csv`: absolute paths; the images stay in
``../shared/data``); the split is :func:`benchmarks._data.is_held_out` (40% held out,
by CRC32 of the name).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    read_seg_and_ocr,
    write_labels_csv,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    add_label_argument(parser)
    args = parser.parse_args(argv)
    for part in ("train", "test"):
        crops = read_seg_and_ocr(args.data, part=part, corrected=not args.raw_labels)
        path = write_labels_csv(crops, args.out / f"{part}.csv")
        print(f"{path}: {len(crops)} crops (images in {args.data / 'seg_and_ocr' / 'usimages'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
