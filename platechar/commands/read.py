"""``platechar read IMAGE...``: find and read the plates in photos (or read plate crops).

One line per plate, best candidate first: its text, confidence and box; with
``--json`` one JSON object per image holding every reading (text, confidence, each
character with its box, confidence and alternatives, per-stage timings). ``--crops``
treats the inputs as plate crops already cut out, so detection is skipped.
"""

from __future__ import annotations

import argparse
import json
import sys

from platechar.commands._common import add_region_option, positive_int, report_failure
from platechar.errors import PlatecharError


def register(subparsers) -> None:
    from platechar.backends import KNOWN_BACKENDS

    parser = subparsers.add_parser(
        "read",
        help="read the licence plates in images",
        description="Find the licence plates in each image and read them with the chosen "
        "backend: 'segmented' (characters cut apart, then classified by a CNN) or "
        "'holistic' (a CRNN reads the whole plate).",
        epilog="Exit status: 0 when every image was handled, 1 when some could not be used "
        "(each is reported on stderr and the others still run).",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE",
                        help="a JPEG, PNG, BMP, TIFF or WebP file")
    parser.add_argument("--backend", choices=KNOWN_BACKENDS, default=KNOWN_BACKENDS[0],
                        help="recognition backend (default: %(default)s)")
    parser.add_argument("--crops", action="store_true",
                        help="the images are plate crops: skip detection and read each whole")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object per image: {"file": ..., "plates": [...]}')
    parser.add_argument("--max-candidates", metavar="N", type=positive_int, default=1,
                        help="read at most N plate candidates per photo (default: 1, the "
                        "best; the detector ranks candidates, and a photo rarely holds more "
                        "than one plate)")
    parser.add_argument("--model", metavar="PATH",
                        help="read with this model file of the backend's kind instead of the "
                        "shipped one: the .onnx (its .json beside it) that 'platechar train "
                        "chars' (segmented) or 'platechar train crnn' (holistic) exported")
    add_region_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platechar.reader import Reader

    try:
        reader = Reader(args.backend, max_candidates=args.max_candidates, region=args.region,
                        model=args.model)
        if args.model is not None:
            reader.load_model()  # a bad model file is one error, not one per image
    except (ValueError, PlatecharError) as exc:
        print(f"platechar read: {exc}", file=sys.stderr)
        return 1
    status = 0
    for file in args.images:
        try:
            readings = [reader.recognize(file)] if args.crops else reader.read(file)
        except PlatecharError as exc:
            report_failure("read", file, exc, args.json)
            status = 1
            continue
        if args.json:
            plates = [reading.to_dict() for reading in readings]
            print(json.dumps({"file": file, "plates": plates}), flush=True)
        elif not readings:
            print(f"{file}: no plate found", flush=True)
        else:
            for reading in readings:
                where = f" box={tuple(reading.box)}" if reading.box is not None else ""
                text = reading.text or "(unreadable)"
                print(f"{file}: {text} confidence={reading.confidence:.3f}{where}",
                      flush=True)
    return status
