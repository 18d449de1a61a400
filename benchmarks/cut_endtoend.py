"""Cut each ``endtoend`` photo's plate at its labelled box, for diagnosis (never training).

    python benchmarks/cut_endtoend.py runs/e2e            # -> runs/e2e/{us,eu,br}/ + .csv
    platechar harvest runs/e2e/us runs/e2e/us.csv runs/e2e/harvest-us
    python benchmarks/bench_charnet.py --model M.onnx --chars runs/e2e/harvest-us --no-keras

The photos are the end-to-end evaluation set, so their characters must never be trained
on; harvested, they tell whether two character CNNs differ on the photos' characters
themselves or only in what the reader makes of their confidences (which candidate,
which pieces). Each crop is the label's box as OpenALPR drew it (no detection), written
as PNG under ``OUT/REGION/`` with a ``filename,text`` CSV beside it; ``OUT`` holds copies
of the licensed data, so keep it under a git-ignored folder such as ``runs/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import DEFAULT_ROOT, read_endtoend  # noqa: E402

REGIONS = ("us", "eu", "br")


def cut_region(root: Path, region: str, out: Path) -> tuple[Path, int]:
    """Write ``out/region/<photo>.png`` (each photo's labelled box) and ``out/region.csv``;
    returns the CSV's path and the number of crops."""
    from platechar.images import load_image, write_png

    folder = out / region
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["filename,text"]
    for scene in read_endtoend(root, region):
        x, y, w, h = scene.box
        photo = load_image(scene.image_path)
        crop = photo[max(0, y):y + h, max(0, x):x + w]
        if crop.size == 0:
            print(f"{scene.image_path.name}: its box {scene.box} lies outside the photo; "
                  "skipped", file=sys.stderr)
            continue
        name = f"{scene.image_path.stem}.png"
        write_png(folder / name, crop)
        rows.append(f"{name},{scene.text}")
    labels = out / f"{region}.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return labels, len(rows) - 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--regions", default=",".join(REGIONS),
                        help="comma-separated (default: %(default)s)")
    args = parser.parse_args(argv)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    unknown = sorted(set(regions) - set(REGIONS))
    if unknown:
        parser.error(f"unknown regions {unknown}; the regions are {list(REGIONS)}")
    for region in regions:
        if not (args.data / "endtoend" / region).is_dir():
            parser.error(f"no photos at {args.data / 'endtoend' / region}")
        labels, count = cut_region(args.data, region, args.out)
        print(f"{labels}: {count} crops in {args.out / region}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
