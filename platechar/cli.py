"""The ``platechar`` command.

Each verb lives in its own module that offers ``register(subparsers)``; this file
only assembles them, so adding a verb never means editing a long function.
Exit status: 0 when every input was handled, 1 when some input failed (each
failure is reported on stderr and the other inputs still run), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys

from platechar._version import __version__
from platechar.errors import PlatecharError

# Modules that add a verb: each defines ``register(subparsers)``, which adds its parser
# and sets ``func`` (called with the parsed args, returning an exit status).
VERB_MODULES = [
    "platechar.commands.detect",
    "platechar.commands.segment",
    "platechar.commands.read",
    "platechar.commands.harvest",
    "platechar.synth.cli",
    "platechar.commands.train",
    "platechar.commands.evaluate",  # evaluate and compare
    "platechar.commands.demo",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platechar",
        description="Find and read vehicle licence plates; compare segmented and holistic "
        "recognition.",
        epilog="Run 'platechar VERB --help' for what a verb does and its options.",
    )
    parser.add_argument("--version", action="version", version=f"platechar {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for module_name in VERB_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a verb whose module is not there yet
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command_line = shlex.join(["platechar", *argv])  # for verbs that print how to re-run
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except PlatecharError as exc:
        print(f"platechar: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
