"""What the CLI verbs share: argument types, output folders and files, error reports."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from platechar.errors import PlatecharError


def int_at_least(minimum: int, note: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum`` (``note`` explains, e.g. what 0 means)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}{note}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def float_in(low: float, high: float = float("inf")) -> Callable[[str], float]:
    """An argparse type: a number in ``(low, high]``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low < value <= high:
            bound = f"in ({low:g}, {high:g}]" if high != float("inf") else f"> {low:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, not {value:g}")
        return value

    return parse


def make_folder(folder: Path, purpose: str) -> None:
    """Create an output folder, or raise a PlatecharError saying which and why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlatecharError(f"cannot create the folder '{folder}' for {purpose}: "
                             f"{exc.strerror or exc}") from None


def unique_stem(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``... when two inputs share a file name."""
    unique, count = stem, 1
    while unique in used:
        count += 1
        unique = f"{stem}-{count}"
    used.add(unique)
    return unique


def report_failure(verb: str, file: str, exc: PlatecharError, as_json: bool) -> None:
    """One input could not be used: say so on stderr (and as a JSON line with --json);
    the verb goes on with the other inputs and exits with status 1 at the end."""
    print(f"platechar {verb}: {exc}", file=sys.stderr)
    if as_json:
        print(json.dumps({"file": file, "error": str(exc)}), flush=True)


def add_region_option(parser) -> None:
    """``--region``: where the plates come from, for the plate syntax (platechar.syntax)."""
    from platechar.syntax import REGION_NAMES

    parser.add_argument("--region", choices=REGION_NAMES, default="any",
                        help="where the plates come from: look-alike characters (0/O, 1/I, "
                        "8/B) are read as the letters or digits that region's plates have "
                        "in their place; 'br' and 'eu' hold readings to their formats "
                        "firmly, 'any' and 'us' lightly, 'off' not at all "
                        "(default: %(default)s)")
