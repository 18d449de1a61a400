"""``platechar train crnn``: train or fine-tune the holistic CRNN (see
:mod:`platechar.training.crnn`).

``register(train_subparsers)`` adds the ``crnn`` sub-command to the ``platechar train``
verb; ``python -m platechar.commands.train_crnn ARGS`` runs the same command on its own.

Examples::

    # a model like the shipped one from scratch (CPU, about 40 minutes on 2 cores)
    platechar train crnn --out runs/crnn --crops runs/real_train.csv
    # (the shipped weights: that with --two-line whole, then five fine-tunes, the last
    #  three with --tight-share 0.25 --stacked 0.3, the last also --vanity 0.3; all six in
    #  one command, about two and a half hours: bash classifier/train_crnn.sh
    #  ../shared/data/openalpr-benchmarks; on today's generator its first five phases
    #  read fewer real crops than the shipped model did, see README)
    # fine-tune the shipped model on your own crops (file names or a filename,text CSV)
    platechar train crnn --out runs/mine --init shipped --crops my_plates/ \\
        --synth 10000 --epochs 10 --learning-rate 3e-4
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from platechar.commands._common import non_negative_int, positive_int


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``crnn`` to the ``train`` verb's sub-parsers; returns its parser."""
    parser = subparsers.add_parser(
        "crnn",
        help="train or fine-tune the holistic CRNN+CTC plate reader",
        description="Train the CRNN that reads whole plate crops, on synthetic plates made "
        "on the fly and/or your own labelled crops, into a run folder (config.json, "
        "log.csv, tensorboard/, checkpoints/, crnn.keras/.onnx/.json).",
        epilog="Labelled crops: a CSV of 'filename,text' rows (file names relative to the "
        "CSV) or a folder of images named after their text (ABC123.jpg, ABC123_2.png). "
        "Copy the run's crnn.* files to platechar/weights/ to ship them.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="RUN_DIR",
                        help="the run folder to write (created if needed)")
    parser.add_argument("--crops", action="append", default=[], metavar="CSV_OR_DIR",
                        help="labelled crops to mix into training (repeatable)")
    parser.add_argument("--init", metavar="MODEL", default=None,
                        help="start from this .keras CRNN, or 'shipped' for the one that "
                        "ships with platechar (fine-tuning)")
    parser.add_argument("--synth", type=non_negative_int, default=40000, metavar="N",
                        help="synthetic plates in the training pool (default 40000; 0: none)")
    parser.add_argument("--styles", default=None,
                        help="synthetic plate styles, e.g. 'us,eu' (default: the synth mix)")
    parser.add_argument("--two-line", choices=("split", "whole", "skip"), default="split",
                        help="synthetic two-line plates: cut into their two lines, as the "
                        "holistic backend reads them (default), kept whole, or left out")
    parser.add_argument("--epochs", type=positive_int, default=25,
                        help="at most this many epochs (default 25)")
    parser.add_argument("--steps", type=positive_int, default=200,
                        help="batches per epoch (default 200)")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="default 64")
    parser.add_argument("--learning-rate", type=float, default=1e-3,
                        help="peak learning rate, cosine-decayed (default 1e-3; "
                        "about 3e-4 for fine-tuning)")
    parser.add_argument("--patience", type=positive_int, default=6,
                        help="stop after this many epochs without a better val_loss (default 6)")
    parser.add_argument("--crop-fraction", type=float, default=0.25,
                        help="share of each batch taken from --crops (default 0.25)")
    parser.add_argument("--tight-share", type=float, default=0.0, metavar="SHARE",
                        help="share of the synthetic plates cut tight to their characters, "
                             "as some datasets and detectors cut plates (default 0)")
    parser.add_argument("--stacked", type=float, default=0.0, metavar="SHARE",
                        help="share of the synthetic US plates with two small stacked "
                             "characters beside the text, left out of the label as plate "
                             "datasets leave them out (default 0)")
    parser.add_argument("--vanity", type=float, default=0.0, metavar="SHARE",
                        help="share of the synthetic US plates drawn as vanity plates, "
                             "words of letters such as GUTSY or IM4REAL (default 0)")
    parser.add_argument("--rearrange", type=float, default=0.0, metavar="CHANCE",
                        help="chance that a labelled crop has its characters swapped about "
                             "(found by the segmenter; 7BPD06 -> D6P7B0), so that shapes, "
                             "not formats, tell letters from digits (default 0)")
    parser.add_argument("--val-synth", type=non_negative_int, default=1000,
                        help="fresh synthetic plates read each epoch (default 1000)")
    parser.add_argument("--val-crops", type=float, default=0.15,
                        help="share of --crops held out for validation (default 0.15)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="default 0")
    parser.add_argument("--workers", type=non_negative_int, default=0,
                        help="processes making synthetic plates (default 0: one per core)")
    parser.add_argument("--no-onnx", action="store_true",
                        help="skip the ONNX export (the reading path needs it)")
    parser.add_argument("--recipe", default=None, metavar="TEXT",
                        help="the command that made the model, when this run is one step of "
                             "a longer one (kept in the sidecar as 'training_recipe')")


def run(args: argparse.Namespace) -> int:
    from platechar.errors import PlatecharError
    from platechar.training.crnn import train_crnn

    if not 0.0 <= args.crop_fraction <= 1.0 or not 0.0 <= args.val_crops < 1.0 \
            or not all(0.0 <= v <= 1.0 for v in (args.tight_share, args.stacked, args.vanity,
                                                 args.rearrange)):
        print("platechar train crnn: --crop-fraction, --tight-share, --stacked, --vanity "
              "and --rearrange "
              "must be "
              "within 0..1 "
              "and --val-crops within 0..1 (exclusive)", file=sys.stderr)
        return 2
    try:
        train_crnn(args.out, synth=args.synth, crops=args.crops, init_from=args.init,
                   epochs=args.epochs, steps=args.steps, batch_size=args.batch_size,
                   learning_rate=args.learning_rate, patience=args.patience,
                   crop_fraction=args.crop_fraction, val_synth=args.val_synth,
                   val_crops=args.val_crops, seed=args.seed, styles=args.styles,
                   two_line=args.two_line, tight_share=args.tight_share,
                   stacked=args.stacked, vanity=args.vanity, rearrange=args.rearrange,
                   workers=args.workers, export_onnx=not args.no_onnx, recipe=args.recipe)
    except PlatecharError as exc:
        print(f"platechar train crnn: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m platechar.commands.train_crnn",
                                     description="Train or fine-tune the holistic CRNN.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
