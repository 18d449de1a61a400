"""``platechar segment CROP...``: cut plate crops into characters, and show how.

Prints the character boxes found in each crop (JSON with ``--json``) and, with
``--annotate OUT_DIR``, saves the stage images a class can look at: the binarisation
chosen, the candidate blobs (kept green, rejected red), the final boxes, and a strip
of the normalised characters the classifier will see.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from platechar.commands._common import make_folder, report_failure, unique_stem
from platechar.errors import PlatecharError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "segment",
        help="cut plate crops into characters (the segmented pipeline's second stage)",
        description="Find the characters of plate crops (images already cut to the plate, "
        "e.g. from 'platechar detect --annotate') and print their boxes in reading order.",
        epilog="Exit status: 0 when every crop was handled, 1 when some could not be used "
        "(each is reported on stderr and the others still run).",
    )
    parser.add_argument("crops", nargs="+", metavar="CROP", help="a plate crop image file")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per crop")
    parser.add_argument("--annotate", metavar="OUT_DIR", type=Path,
                        help="save each crop's stage images: <name>.threshold.png, "
                        "<name>.blobs.png, <name>.characters.png, <name>.cutouts.png")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platechar.reader import segment

    if args.annotate is not None:
        make_folder(args.annotate, "--annotate")
    used_stems: set[str] = set()
    status = 0
    for file in args.crops:
        try:
            stages: dict | None = {} if args.annotate is not None else None
            result = segment(file, stages=stages)
            if stages is not None:
                save_stages(stages, result, args.annotate,
                            unique_stem(Path(file).stem, used_stems))
        except PlatecharError as exc:
            report_failure("segment", file, exc, args.json)
            status = 1
            continue
        boxes = result.boxes.tolist()
        if args.json:
            print(json.dumps({"file": file, "count": len(boxes), "boxes": boxes,
                              "lines": result.lines, "binarisation": result.binarisation,
                              "polarity": result.polarity, "score": round(result.score, 4)}),
                  flush=True)
        else:
            listed = " ".join(f"({x},{y},{w},{h})" for x, y, w, h in boxes)
            print(f"{file}: {len(boxes)} characters via {result.binarisation or '-'} "
                  f"(score {result.score:.2f}) {listed}".rstrip(), flush=True)
    return status


def save_stages(stages: dict, result, folder: Path, stem: str) -> list[Path]:
    """Write the chosen threshold, the blobs, the boxes and the cut-outs as PNG files."""
    import numpy as np

    from platechar.images import write_png

    written = []
    for name in ("threshold", "blobs", "characters"):
        if name in stages:
            written.append(write_png(folder / f"{stem}.{name}.png", stages[name]))
    if len(result):
        images = result.images
        gap = np.full((images.shape[1], 4), 128, np.uint8)
        strip = np.hstack([part for image in images for part in (image, gap)][:-1])
        written.append(write_png(folder / f"{stem}.cutouts.png", strip))
    return written
