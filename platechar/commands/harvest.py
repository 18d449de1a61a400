"""``platechar harvest CROPS LABELS OUT_DIR``: labelled characters from labelled plate crops.

Segments every crop listed in LABELS (``filename,text`` or ``filename,region,text``) and,
where the characters found match the label's length, writes each cut-out into
``OUT_DIR/<character>/`` for ``platechar train chars`` (see :mod:`platechar.harvest`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from platechar.errors import PlatecharError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "harvest",
        help="cut labelled characters out of labelled plate crops, for training",
        description="Segment each labelled plate crop; where the number of characters found "
        "equals the label's length, write each character into OUT_DIR/<class>/ (the layout "
        "'platechar train chars' reads). Other plates are skipped and counted.",
    )
    parser.add_argument("crops", type=Path, metavar="CROPS", help="folder of plate crops")
    parser.add_argument("labels", type=Path, metavar="LABELS",
                        help="CSV: filename,text (or OpenALPR's filename,region,text)")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="where to write characters")
    parser.add_argument("--size", type=int, default=32, help="character image side (32)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from platechar.harvest import harvest_characters

    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are a nicety
        tqdm = None
    try:
        report = harvest_characters(args.crops, args.labels, args.out, char_size=args.size,
                                    progress=(lambda it: tqdm(it, unit="plate"))
                                    if tqdm is not None and sys.stderr.isatty() else None)
    except PlatecharError as exc:
        print(f"platechar harvest: {exc}", file=sys.stderr)
        return 1
    for problem in report.problems:
        print(f"platechar harvest: {problem}", file=sys.stderr)
    print(f"{report.used} of {report.plates} plates used, {report.characters} characters "
          f"written to {args.out}")
    for reason, count in report.skipped.most_common():
        print(f"  skipped {count}: {reason}")
    return 0
