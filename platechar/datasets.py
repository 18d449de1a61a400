"""Labelled plate data in the forms people have it, read into one shape for evaluation.

Four sources, each giving a :class:`Dataset` of items with their true text:

- **a labels CSV** beside a folder of plate crops: ``filename,text`` or OpenALPR's
  ``filename,region,text`` (the text is the last column; a header row is skipped);
- **a folder whose file names are the labels**: ``ABC123.png``, ``ABC123_2.jpg`` (what
  follows the first ``_`` only keeps names unique);
- **scene photos with OpenALPR label files**: ``photo.jpg`` beside ``photo.txt`` holding
  one line per plate, ``file x y w h TEXT`` (tab- or space-separated);
- **synthetic plates** made on the fly by :mod:`platechar.synth` (a count and a seed).

Texts are normalised the way plates are read: upper case, spaces and dashes dropped
(``"AB-123 CD"`` is ``AB123CD``). A malformed row, a label with characters outside
A-Z0-9 or a label file without its image is recorded in :attr:`Dataset.problems` and
skipped; nothing about one item stops the others. Images are loaded only when an item
is evaluated, so an unreadable image is reported then.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from platechar.alphabet import ALPHABET
from platechar.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
KINDS = ("auto", "crops", "names", "scenes")


class _Loadable:
    """An item's pixels come from ``image`` (synthetic) or the file at ``path``."""

    path: Path | None
    image: np.ndarray | None

    def load(self) -> np.ndarray:
        """The pixels (BGR ``uint8``); an unreadable file is an ``ImageError``."""
        from platechar.images import load_image

        return self.image if self.image is not None else load_image(self.path)


@dataclass(frozen=True, eq=False)
class LabelledPlate(_Loadable):
    """One plate crop and its true text; ``path`` for files, ``image`` for synthetic."""

    name: str
    text: str
    path: Path | None = None
    image: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class LabelledScene(_Loadable):
    """One photo and the plates in it: ``plates`` holds ``((x, y, w, h), text)`` pairs."""

    name: str
    plates: tuple[tuple[tuple[int, int, int, int], str], ...]
    path: Path | None = None
    image: np.ndarray | None = field(default=None, repr=False)


@dataclass
class Dataset:
    """Labelled items of one kind (``"crops"`` or ``"scenes"``), where they came from,
    and every problem met while reading the labels (one message per skipped item)."""

    kind: str
    items: list
    source: str
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    def limited(self, count: int | None) -> Dataset:
        """The first ``count`` items (all when ``None``)."""
        if count is None:
            return self
        return Dataset(self.kind, self.items[:count], self.source, list(self.problems))


def normalize_text(text: str) -> str:
    """A label as plates are read: upper case, without spaces and dashes."""
    return "".join(text.split()).replace("-", "").upper()


def _label_problem(text: str) -> str | None:
    if not text:
        return "the label is empty"
    outside = sorted({c for c in text if c not in ALPHABET})
    if outside:
        return f"the label {text!r} has characters outside A-Z0-9: {''.join(outside)!r}"
    return None


def read_label_rows(path: str | Path) -> tuple[list[tuple[str, str]], list[str]]:
    """``(file name, text)`` pairs from a labels CSV, and a message per row skipped.

    Accepts ``filename,text`` and ``filename,region,text`` (the text is the last
    column); a first row whose last column is ``text``, ``label`` or ``plate`` is a
    header. Texts are normalised (:func:`normalize_text`). A file that cannot be read
    at all is a :class:`DatasetError`.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(enumerate(csv.reader(handle), start=1))
    except FileNotFoundError:
        raise DatasetError(f"the labels file '{path}' does not exist") from None
    except IsADirectoryError:
        raise DatasetError(f"'{path}' is a folder, not a labels CSV") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"cannot read the labels file '{path}': {exc}") from None
    rows = [(number, row) for number, row in rows if row and any(f.strip() for f in row)]
    if rows and rows[0][1][-1].strip().lower() in ("text", "label", "plate"):
        rows = rows[1:]
    pairs, problems = [], []
    for number, row in rows:
        if len(row) < 2 or not row[0].strip():
            problems.append(f"{path.name}, line {number}: expected 'filename,text', "
                            f"got {','.join(row)!r}")
            continue
        pairs.append((row[0].strip(), normalize_text(row[-1])))
    return pairs, problems


def crops_from_csv(labels: str | Path, images: str | Path | None = None) -> Dataset:
    """Plate crops listed in a labels CSV; relative file names are looked up in
    ``images`` (default: the CSV's own folder)."""
    labels = Path(labels)
    folder = Path(images) if images is not None else labels.parent
    if not folder.is_dir():
        raise DatasetError(f"the image folder '{folder}' does not exist")
    pairs, problems = read_label_rows(labels)
    items = []
    for name, text in pairs:
        problem = _label_problem(text)
        if problem:
            problems.append(f"{name}: {problem}; skipped")
            continue
        path = Path(name) if Path(name).is_absolute() else folder / name
        items.append(LabelledPlate(name=Path(name).name, text=text, path=path))
    if not items and not problems:
        raise DatasetError(f"the labels file '{labels}' lists no plates")
    return Dataset("crops", items, f"{len(items)} crops labelled by {labels}", problems)


def crops_from_names(folder: str | Path) -> Dataset:
    """Plate crops whose file names are their labels (``ABC123.png``, ``ABC123_2.jpg``)."""
    folder = _existing_folder(folder)
    items, problems = [], []
    for path in _images_in(folder):
        text = normalize_text(path.stem.split("_")[0])
        problem = _label_problem(text)
        if problem:
            problems.append(f"{path.name}: the file name is not a plate text ({problem}); "
                            "skipped")
            continue
        items.append(LabelledPlate(name=path.name, text=text, path=path))
    if not items and not problems:
        raise DatasetError(f"the folder '{folder}' holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return Dataset("crops", items, f"{len(items)} crops in {folder}, labelled by file name",
                   problems)


def parse_scene_labels(path: Path) -> list[tuple[str, tuple[int, int, int, int], str]]:
    """The ``(image name, box, text)`` lines of an OpenALPR label file
    (``file x y w h TEXT``); raises ``ValueError`` saying which line is malformed."""
    plates = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 6:
            raise ValueError(f"line {number}: expected 'file x y w h TEXT', got {line.strip()!r}")
        try:
            x, y, w, h = (int(float(v)) for v in fields[1:5])
        except ValueError:
            raise ValueError(f"line {number}: the box {' '.join(fields[1:5])!r} is not "
                             "four numbers") from None
        if w <= 0 or h <= 0:
            raise ValueError(f"line {number}: the box has no area ({w}x{h})")
        text = normalize_text("".join(fields[5:]))
        problem = _label_problem(text)
        if problem:
            raise ValueError(f"line {number}: {problem}")
        plates.append((fields[0], (x, y, w, h), text))
    if not plates:
        raise ValueError("no plate lines")
    return plates


def scenes_from_folder(folder: str | Path) -> Dataset:
    """Photos with OpenALPR label files: ``photo.txt`` beside ``photo.jpg``, or one file
    listing many photos (a line per plate; a plate listed twice counts once)."""
    folder = _existing_folder(folder)
    plates: dict[str, list] = {}
    problems = []
    for label_file in sorted(folder.glob("*.txt")):
        try:
            lines = parse_scene_labels(label_file)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"{label_file.name}: {exc}; skipped")
            continue
        for image_name, box, text in lines:
            known = plates.setdefault(image_name, [])
            if (box, text) not in known:
                known.append((box, text))
    items = []
    for image_name, found in sorted(plates.items()):
        image_path = folder / image_name
        if not image_path.is_file():
            problems.append(f"the labelled photo '{image_name}' is not in {folder}; skipped")
            continue
        items.append(LabelledScene(name=image_name, plates=tuple(found), path=image_path))
    if not items and not problems:
        raise DatasetError(f"the folder '{folder}' holds no OpenALPR label files (*.txt)")
    return Dataset("scenes", items, f"{len(items)} photos in {folder} with OpenALPR labels",
                   problems)


def synthetic_dataset(count: int, *, seed: int = 0, kind: str = "crops", styles=None,
                      augment: str = "default") -> Dataset:
    """``count`` synthetic plate crops (or scenes) from :mod:`platechar.synth`; the same
    seed gives the same plates."""
    from platechar import synth

    if count < 1:
        raise DatasetError(f"the synthetic count must be at least 1, got {count}")
    described = f"{count} synthetic {kind} (seed {seed}, styles {styles or 'all'}, " \
                f"augment {augment})"
    if kind == "scenes":
        scenes = synth.generate_scenes(count, seed=seed, styles=styles, augment=augment)
        items = [LabelledScene(name=f"synthetic-{k:05d}", plates=((tuple(int(v) for v in s.box),
                               s.text),), image=s.image) for k, s in enumerate(scenes)]
        return Dataset("scenes", items, described)
    plates = synth.generate_plates(count, seed=seed, styles=styles, augment=augment)
    items = [LabelledPlate(name=f"synthetic-{k:05d}", text=p.text, image=p.image)
             for k, p in enumerate(plates)]
    return Dataset("crops", items, described)


def open_dataset(data: str | Path | None = None, *, labels: str | Path | None = None,
                 kind: str = "auto", synthetic: int | None = None, seed: int = 0,
                 styles=None) -> Dataset:
    """The labelled data at ``data``, in whichever of the four forms it is.

    - ``synthetic=N``: N synthetic crops (``kind="scenes"``: scenes); ``data`` unused;
    - ``data`` a CSV file, or a folder with ``labels`` given: crops labelled by the CSV;
    - ``data`` a folder with ``.txt`` label files: scenes (or say ``kind="scenes"``);
    - any other folder: crops labelled by their file names (``kind="names"``).
    """
    if kind not in KINDS:
        raise DatasetError(f"unknown dataset kind {kind!r}; the kinds are {', '.join(KINDS)}")
    if synthetic is not None:
        return synthetic_dataset(synthetic, seed=seed, styles=styles,
                                 kind="scenes" if kind == "scenes" else "crops")
    if data is None:
        raise DatasetError("say what to evaluate: a folder, a labels CSV, or a synthetic count")
    data = Path(data)
    if not data.exists():
        raise DatasetError(f"'{data}' does not exist")
    if data.is_file():
        if data.suffix.lower() in IMAGE_SUFFIXES:
            raise DatasetError(f"'{data}' is one image, not labelled data: give a labels CSV, "
                               "a folder of labelled crops or photos, or read the image "
                               "with 'platechar read'")
        if labels is not None:
            raise DatasetError(f"'{data}' is a file; give a folder of crops with --labels, "
                               "or the labels CSV alone")
        return crops_from_csv(data)
    if labels is not None or kind == "crops":
        if labels is None:
            raise DatasetError(f"crops need a labels CSV: give --labels for '{data}'")
        return crops_from_csv(labels, data)
    if kind == "scenes" or (kind == "auto" and any(data.glob("*.txt"))):
        return scenes_from_folder(data)
    return crops_from_names(data)


def _existing_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"'{folder}' is not a folder")
    return folder


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
