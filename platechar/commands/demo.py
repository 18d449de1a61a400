"""``platechar demo IMAGE --out FILE``: show every stage of both pipelines on one image.

For teaching: one web page (``--out demo.html``: figures embedded, a heading and a few
sentences per stage) or one tall PNG (``--out demo.png``: every figure top to bottom)
that shows how the plate is found, cut into characters and classified (segmented), and
how a CRNN reads it whole and CTC decodes it (holistic). ``--training-curves RUN_DIR``
adds (or shows alone) the loss and accuracy curves of a training run. The figures come
from :mod:`platechar.demo`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from platechar.commands._common import positive_int


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="show every stage of both pipelines on one image (HTML page or PNG), for teaching",
        description="Show, stage by stage, how platechar finds a plate in IMAGE, cuts it into "
        "characters and classifies them (segmented), and how the CRNN reads it whole and CTC "
        "decodes it (holistic). Writes a self-contained web page (.html: every figure "
        "embedded, with a heading and an explanation per stage) or one tall PNG image of "
        "every figure, top to bottom (.png).",
        epilog="Examples: platechar demo car.jpg --out car.html; platechar demo plate.png "
        "--crop --backend holistic --out plate.png; platechar demo --training-curves "
        "runs/chars-20261122-043954 --out curves.png. Exit status: 0 when written, 1 when "
        "the image, the run folder or --out cannot be used.",
    )
    parser.add_argument("image", nargs="?", metavar="IMAGE",
                        help="a photo (or, with --crop, a plate crop) to show the stages of")
    parser.add_argument("--out", "-o", required=True, type=Path, metavar="FILE",
                        help="where to write: FILE.html (a web page) or FILE.png (one tall "
                        "image)")
    parser.add_argument("--backend", choices=("segmented", "holistic", "both"), default="both",
                        help="which reader's stages to show after detection (default: both)")
    parser.add_argument("--crop", action="store_true",
                        help="IMAGE is a plate already cut out: skip detection")
    parser.add_argument("--candidate", type=positive_int, default=1, metavar="N",
                        help="follow the N-th best plate candidate (default 1, the one "
                        "'platechar read' reads first)")
    parser.add_argument("--model", metavar="PATH",
                        help="with --backend segmented or holistic: read with this model "
                        "file of that backend's kind (the .onnx 'platechar train' exported) "
                        "instead of the shipped one")
    parser.add_argument("--training-curves", type=Path, metavar="RUN_DIR",
                        help="also show the loss and accuracy curves of a training run "
                        "folder (its log.csv); may be given without IMAGE")
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from platechar.demo import check_output_path, demo_sections, training_section, write_sections

    if args.image is None and args.training_curves is None:
        args.parser.error("give an IMAGE, --training-curves RUN_DIR, or both")
    if args.model is not None and args.backend == "both":
        args.parser.error("--model needs --backend segmented or --backend holistic: the "
                          "model is of one backend's kind")
    out = check_output_path(args.out)  # refuse a bad --out before any work
    models = {} if args.model is None else {args.backend: args.model}
    sections = []
    if args.image is not None:
        sections += demo_sections(args.image, backend=args.backend, crop=args.crop,
                                  candidate=args.candidate, models=models)
    if args.training_curves is not None:
        sections.append(training_section(args.training_curves))
    title = "platechar demo" + (f": {Path(args.image).name}" if args.image else "")
    written = write_sections(sections, out, title=title)
    figures = sum(len(section.figures) for section in sections)
    print(f"wrote {written} ({figures} figures)")
    for section in sections:
        if section.summary:
            print(f"  {section.summary}")
    return 0
