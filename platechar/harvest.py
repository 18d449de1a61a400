"""Harvest labelled characters from labelled plate crops, for training the character CNN.

A plate label says *what* the characters are but not *where*. Segmenting the crop gives
the where; when the number of characters found equals the label's length, the i-th
cut-out is labelled with the label's i-th character (plates are read left to right, so
order is the alignment). Plates where the counts differ are skipped: a guess there
would teach the classifier wrong labels. The output is one folder per class, the layout
``flow_from_directory`` reads, so ``platechar train chars`` can fine-tune on it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from platechar.alphabet import ALPHABET
from platechar.datasets import read_label_rows
from platechar.errors import DatasetError, PlatecharError


@dataclass
class HarvestReport:
    """What a harvest did: plates used, skipped (and why), characters written per class."""

    plates: int = 0
    used: int = 0
    skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    per_class: Counter = field(default_factory=Counter)

    @property
    def characters(self) -> int:
        return sum(self.per_class.values())


def read_labels(path: str | Path) -> list[tuple[str, str]]:
    """``(file name, text)`` pairs from a labels CSV (the forms
    :func:`platechar.datasets.read_label_rows` reads); a malformed row is an error here,
    since a harvest must not guess which characters a plate has."""
    pairs, problems = read_label_rows(path)
    if problems:
        raise DatasetError(problems[0])
    return pairs


def harvest_characters(crops_dir: str | Path, labels: str | Path, out_dir: str | Path,
                       *, char_size: int = 32, progress=None) -> HarvestReport:
    """Segment each labelled crop and write its characters into ``out_dir/<class>/``.

    Files are named ``<crop stem>_<position>.png``, so a harvest can be traced back to its
    plate. Unreadable images and labels with characters outside A-Z0-9 are reported and
    skipped; the rest go on. ``progress`` wraps the item iterator (e.g. ``tqdm``).
    """
    from platechar.images import load_image, write_png
    from segmentation import segment_characters

    crops_dir, out_dir = Path(crops_dir), Path(out_dir)
    if not crops_dir.is_dir():
        raise DatasetError(f"'{crops_dir}' is not a folder of plate crops")
    pairs = read_labels(labels)
    report = HarvestReport(plates=len(pairs))
    items = progress(pairs) if progress is not None else pairs
    for name, text in items:
        if not text or any(c not in ALPHABET for c in text):
            report.skipped["label outside A-Z0-9"] += 1
            continue
        try:
            image = load_image(crops_dir / name)
        except PlatecharError as exc:
            report.skipped["unreadable image"] += 1
            report.problems.append(str(exc))
            continue
        result = segment_characters(image, char_size=char_size)
        if len(result) != len(text):
            report.skipped["character count differs from label"] += 1
            continue
        report.used += 1
        for position, (char, found) in enumerate(zip(text, result.characters, strict=True)):
            folder = out_dir / char
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{Path(name).stem}_{position}.png"
            write_png(target, found.image)
            report.per_class[char] += 1
    return report
