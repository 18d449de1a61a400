"""``platechar train WHAT ...``: train platechar's networks from the command line.

Each kind of network is a subcommand registered by one function in
:data:`SUBCOMMANDS` (``chars`` here: the 36-class character CNN of the segmented
backend); another module adds its own with ``register(train_subparsers)``.
TensorFlow is imported only when a subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from platechar.commands import train_crnn
from platechar.commands._common import float_in, positive_int
from platechar.errors import DatasetError, ModelError, PlatecharError


def register_chars(train_subparsers) -> None:
    """Add ``platechar train chars``."""
    p = train_subparsers.add_parser(
        "chars",
        help="train the 36-class character CNN (segmented backend)",
        description="Train the character CNN on one or more folders laid out one folder per "
        "class (DIR/A/*.png, DIR/7/*.png, ...; 'platechar synth chars' writes this), with "
        "augmentation, a validation split, early stopping and a run folder of checkpoints, "
        "TensorBoard logs and a CSV log. The result is exported as STEM.keras, STEM.onnx "
        "and STEM.json.",
        epilog="Example: platechar synth chars runs/chars --count 60000 --seed 1 && "
        "platechar train chars runs/chars --test runs/chars-test",
    )
    p.add_argument("data_dirs", nargs="+", metavar="DATA_DIR", type=Path,
                   help="a folder of character images, one sub-folder per class")
    p.add_argument("--epochs", type=positive_int, default=30,
                   help="most passes over the data; early stopping may end sooner (default 30)")
    p.add_argument("--batch-size", type=positive_int, default=128,
                   help="images per step (default 128)")
    p.add_argument("--learning-rate", type=float_in(0), default=None,
                   help="Adam's step size (default 1e-3; 3e-4 with --init-from)")
    p.add_argument("--validation-split", type=float_in(0, 1), default=0.1,
                   help="share of each class held out for validation (default 0.1)")
    p.add_argument("--patience", type=positive_int, default=5,
                   help="epochs without a better validation accuracy before stopping "
                   "(default 5)")
    p.add_argument("--target-accuracy", type=float_in(0, 1), default=None, metavar="ACC",
                   help="stop once validation accuracy reaches ACC, e.g. 0.995")
    p.add_argument("--select-by", choices=("pooled", "balanced", "last"), default="pooled",
                   help="which epoch is kept: 'pooled', the best validation accuracy over all "
                   "validation images; 'balanced', the best mean of each DATA_DIR's own "
                   "accuracy (a small folder of real characters then counts as much as a large "
                   "synthetic one); 'last', the last epoch run, a fixed schedule for when "
                   "validation cannot tell the epochs apart (default pooled)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--runs", type=Path, default=Path("runs"), metavar="DIR",
                   help="where each run's folder is made (default: runs)")
    p.add_argument("--init-from", type=Path, default=None, metavar="MODEL.keras",
                   help="fine-tune this character model instead of starting from scratch")
    p.add_argument("--export", type=Path, default=None, metavar="STEM",
                   help="write the model as STEM.keras/.onnx/.json (default: RUN/charnet)")
    p.add_argument("--test", type=Path, action="append", default=[], metavar="DIR",
                   help="a folder of characters never trained on, to measure accuracy on "
                   "at the end (may be repeated)")
    p.add_argument("--repeat", type=dir_repeat, action="append", default=[],
                   metavar="DIR=N",
                   help="read DATA_DIR DIR's training images N times an epoch, each time "
                   "augmented afresh: oversamples a small folder (e.g. 1,000 harvested real "
                   "characters beside 20,000 synthetic ones); may be repeated")
    p.add_argument("--description", default=None,
                   help="one line saying what the data is, kept in the model's sidecar")
    p.add_argument("--data-command", action="append", default=[], metavar="CMD",
                   help="a command that made the training data (e.g. 'platechar synth chars "
                   "...'); kept, before this train command, in the sidecar's "
                   "training_recipe; may be repeated")
    p.add_argument("--quiet", "-q", action="store_true", help="no per-epoch output")
    p.set_defaults(func=run_chars)


SUBCOMMANDS = [register_chars, train_crnn.register]
"""Functions that add a ``platechar train`` subcommand, each ``f(train_subparsers)``."""


def register(subparsers) -> None:
    """Add the ``train`` verb, with every subcommand of :data:`SUBCOMMANDS`."""
    p = subparsers.add_parser(
        "train",
        help="train a network (chars: the character CNN; crnn: the holistic CRNN)",
        description="Train one of platechar's networks. Each run gets its own folder with "
        "its configuration, checkpoints, TensorBoard logs and a CSV log.",
    )
    train_subparsers = p.add_subparsers(dest="what", metavar="WHAT")
    for add in SUBCOMMANDS:
        add(train_subparsers)
    p.set_defaults(func=lambda args: _no_subcommand(p))


def _no_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def dir_repeat(text: str) -> tuple[Path, int]:
    """An argparse type: ``DIR=N``, a data folder and how many times to read it an epoch."""
    folder, sep, count = text.rpartition("=")
    try:
        n = int(count)
    except ValueError:
        n = 0
    if not sep or not folder or n < 1:
        raise argparse.ArgumentTypeError(f"expected DIR=N with N a whole number >= 1, "
                                         f"not {text!r}")
    return Path(folder), n


def run_chars(args: argparse.Namespace) -> int:
    """Run ``platechar train chars``; errors become DatasetError / ModelError."""
    from classifier.model_io import ModelFileError
    from classifier.train_chars import DataDirError, TrainConfig, train_char_classifier
    from platechar._version import __version__
    from platechar.alphabet import ALPHABET

    learning_rate = args.learning_rate or (3e-4 if args.init_from else 1e-3)
    if args.init_from is not None and not args.init_from.is_file():
        raise ModelError(f"{args.init_from}: no such model file to start from")
    try:
        config = TrainConfig(
            epochs=args.epochs, batch_size=args.batch_size, learning_rate=learning_rate,
            validation_split=args.validation_split, patience=args.patience,
            target_accuracy=args.target_accuracy, select_by=args.select_by, seed=args.seed,
            init_from=str(args.init_from) if args.init_from else None)
    except ValueError as exc:
        raise PlatecharError(str(exc)) from None
    recipe = list(args.data_command)
    if getattr(args, "command_line", None):  # set by platechar.cli.main
        recipe.append(args.command_line)
    try:
        result = train_char_classifier(
            args.data_dirs, args.runs, config=config, export=args.export,
            test_dirs=args.test, version=__version__, description=args.description,
            alphabet=ALPHABET, repeat=dict(args.repeat),
            extra_info={"training_recipe": recipe} if recipe else None,
            verbose=0 if args.quiet else 2)
    except DataDirError as exc:
        raise DatasetError(str(exc)) from None
    except ModelFileError as exc:
        raise ModelError(str(exc)) from None
    test = (f", test accuracy {result.test_accuracy:.4f}"
            if result.test_accuracy is not None else "")
    print(f"trained {result.epochs_run} epochs in {result.seconds:.0f} s on "
          f"{result.train_images} images (best epoch {result.best_epoch}); validation "
          f"accuracy {result.val_accuracy:.4f}{test}")
    if len(result.val_folders) > 1:
        folders = ", ".join(f"{name} {acc:.4f}" for name, acc in result.val_folders.items())
        print(f"validation accuracy per folder: {folders} (balanced "
              f"{result.val_balanced_accuracy:.4f})")
    print(f"run folder: {result.run_dir}")
    for path in result.exported.values():
        print(f"wrote {path}")
    return 0
