"""``platechar detect IMAGE...``: show where the plates are, without reading them.

Prints one line per plate candidate (or one JSON object per image with ``--json``) and,
with ``--annotate OUT_DIR``, saves each image with its candidates drawn plus the best
candidate's rectified crop, so the detection stage can be seen and taught on its own.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from platechar.commands._common import make_folder, positive_int, report_failure, unique_stem
from platechar.errors import PlatecharError

BEST_COLOR = (0, 200, 0)  # BGR green
OTHER_COLOR = (0, 220, 255)  # BGR yellow


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "detect",
        help="find licence plates in images, without reading them",
        description="Find licence plates in images and print where they are, best first. "
        "Nothing is read: this runs the detection stage alone.",
        epilog="Exit status: 0 when every image was handled, 1 when some could not be used "
        "(each is reported on stderr and the others still run).",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE",
                        help="a JPEG, PNG, BMP, TIFF or WebP file")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object per image, {"file": ..., "plates": [...]}, '
                        'or {"file": ..., "error": ...} for an image that cannot be used')
    parser.add_argument("--annotate", metavar="OUT_DIR", type=Path,
                        help="save each image with its candidates drawn (best in green, others "
                        "in yellow, with rank and score) and the best candidate's crop")
    parser.add_argument("--max-candidates", metavar="N", type=positive_int, default=5,
                        help="report at most N candidates per image (default: 5)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platechar.images import load_image
    from platechar.reader import detect

    if args.annotate is not None:
        make_folder(args.annotate, "--annotate")
    used_stems: set[str] = set()
    status = 0
    for file in args.images:
        try:
            image = load_image(file)
            candidates = detect(image, max_candidates=args.max_candidates)
            if args.annotate is not None:
                stem = unique_stem(Path(file).stem, used_stems)
                save_annotations(image, candidates, args.annotate, stem)
        except PlatecharError as exc:
            report_failure("detect", file, exc, args.json)
            status = 1
            continue
        if args.json:
            plates = [candidate.to_dict() for candidate in candidates]
            print(json.dumps({"file": file, "plates": plates}), flush=True)
        else:
            _print_lines(file, candidates)
    return status


def _print_lines(file: str, candidates: list) -> None:
    if not candidates:
        print(f"{file}: no plate found", flush=True)
    for rank, candidate in enumerate(candidates, start=1):
        x, y, w, h = candidate.box
        method = f" ({candidate.method})" if candidate.method else ""
        print(f"{file}: #{rank} box=({x}, {y}, {w}, {h}) score={candidate.score:.3f}{method}",
              flush=True)


def save_annotations(image, candidates: list, folder: Path, stem: str) -> list[Path]:
    """Write ``<stem>.detected.png`` (candidates drawn) and ``<stem>.plate.png`` (best crop)."""
    from platechar.images import write_png

    written = [write_png(folder / f"{stem}.detected.png", draw_candidates(image, candidates))]
    if candidates:
        written.append(write_png(folder / f"{stem}.plate.png", candidates[0].crop))
    return written


def draw_candidates(image, candidates: list):
    """A copy of ``image`` with each candidate's quad outlined and labelled ``#rank score``."""
    import cv2
    import numpy as np

    canvas = image.copy()
    scale = max(image.shape[:2]) / 800
    thickness = max(2, round(2 * scale))
    font_scale = max(0.5, 0.7 * scale)
    for rank in range(len(candidates), 0, -1):  # the best is drawn last, on top
        candidate = candidates[rank - 1]
        color = BEST_COLOR if rank == 1 else OTHER_COLOR
        corners = np.round(candidate.quad).astype(np.int32)
        cv2.polylines(canvas, [corners.reshape(-1, 1, 2)], True, color, thickness, cv2.LINE_AA)
        label = f"#{rank} {candidate.score:.2f}"
        (text_w, text_h), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                                              thickness)
        left, top = corners.min(axis=0)
        x = int(np.clip(left, 0, max(0, canvas.shape[1] - text_w)))
        above = top - 2 * thickness  # label above the quad, or inside it near the top edge
        y = above if above > text_h else top + text_h + 2 * thickness
        y = int(np.clip(y, text_h + thickness, canvas.shape[0] - thickness))
        for ink, weight in (((0, 0, 0), thickness + 2), (color, thickness)):  # outlined text
            cv2.putText(canvas, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, font_scale, ink,
                        weight, cv2.LINE_AA)
    return canvas
