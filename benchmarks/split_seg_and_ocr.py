"""Write the fixed train/test split of the real ``seg_and_ocr`` crops as labels CSVs.

    python benchmarks/split_seg_and_ocr.py runs/real     # -> runs/real/{train,test}.csv

Both files are ``filename,text`` for ``platechar harvest`` and the training commands;
the split is :func:`benchmarks._data.is_held_out` (40% held out, by CRC32 of the name).
The files list names only: the images stay in ``../shared/data``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import DEFAULT_ROOT, read_seg_and_ocr  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for part in ("train", "test"):
        crops = read_seg_and_ocr(args.data, part=part)
        lines = [f"{c.image_path.name},{c.text}" for c in crops]
        (args.out / f"{part}.csv").write_text("filename,text\n" + "\n".join(lines) + "\n")
        print(f"{args.out / f'{part}.csv'}: {len(crops)} crops "
              f"(images in {args.data / 'seg_and_ocr' / 'usimages'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
