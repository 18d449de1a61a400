"""Readers for the OpenALPR benchmark data that the benchmark scripts measure on.

The data is licensed separately and lives outside the repository; scripts take its
path as an argument (default: ``../shared/data/openalpr-benchmarks`` next to the repo).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO.parent / "shared" / "data" / "openalpr-benchmarks"


@dataclass(frozen=True)
class LabelledScene:
    image_path: Path
    box: tuple[int, int, int, int]
    text: str


def read_endtoend(root: Path, region: str) -> list[LabelledScene]:
    """The photos of one region (``us``, ``eu``, ``br``) with their OpenALPR label lines."""
    folder = Path(root) / "endtoend" / region
    scenes = []
    for label_file in sorted(folder.glob("*.txt")):
        fields = label_file.read_text().strip().split("\t")
        name, x, y, w, h, text = fields[0], *map(int, fields[1:5]), fields[5]
        scenes.append(LabelledScene(folder / name, (x, y, w, h), text))
    return scenes


@dataclass(frozen=True)
class LabelledCrop:
    image_path: Path
    text: str
    region: str


LABEL_CORRECTIONS = {
    # file: (its label in groundtruth.csv, the text on the plate)
    "ga1260.png": ("BJL833", "BJL3833"),  # Georgia: three letters, the peach, four digits
    "vt268.png": ("0", "00000"),  # Vermont veterans' plate, five zeros
    "vt315.png": ("0", "00000"),  # Vermont, five zeros
    "wy420.png": ("0", "000000"),  # Wyoming 1939 replica: 00, the bucking horse, 0000
}
"""Labels of ``seg_and_ocr/groundtruth.csv`` that are not the plate's text, each checked
by eye on the image. Three are just ``0``; ``ga1260`` drops the first of the four digits
right of Georgia's peach (OpenALPR's own read in ``results.csv`` has the same text).
Found by listing the crops that both backends read alike and differently from the
label, and the labels shorter than any US plate. The benchmarks score against the
corrected labels and say so in their output (:func:`describe_labels`); ``--raw-labels``
scores against the file as it is."""


def read_seg_and_ocr(root: Path, *, part: str = "all",
                     corrected: bool = True) -> list[LabelledCrop]:
    """The 359 cropped US plates of ``seg_and_ocr`` with their labels (``groundtruth.csv``).

    ``part`` is ``"all"``, ``"train"`` or ``"test"``: a fixed split (see :func:`is_held_out`)
    so that models fine-tuned on real crops are always measured on crops they never saw.
    ``corrected`` applies :data:`LABEL_CORRECTIONS` (only where the file still has the
    wrong label, so a mended copy of the data is read as it is).
    """
    if part not in ("all", "train", "test"):
        raise ValueError(f"part must be all, train or test, got {part!r}")
    folder = Path(root) / "seg_and_ocr"
    crops = []
    for line in (folder / "groundtruth.csv").read_text().splitlines():
        if not line.strip():
            continue
        name, region, text = line.strip().split(",")[:3]
        if part != "all" and is_held_out(name) != (part == "test"):
            continue
        if corrected and LABEL_CORRECTIONS.get(name, ("",))[0] == text:
            text = LABEL_CORRECTIONS[name][1]
        crops.append(LabelledCrop(folder / "usimages" / name, text, region))
    return crops


def add_label_argument(parser) -> None:
    """``--raw-labels``: score against ``groundtruth.csv`` as it is (see LABEL_CORRECTIONS)."""
    parser.add_argument("--raw-labels", action="store_true",
                        help="score against groundtruth.csv as it is, without the "
                             f"{len(LABEL_CORRECTIONS)} corrections of benchmarks/_data.py")


def describe_labels(raw: bool) -> str:
    """One line for a benchmark's output: which labels it scores against."""
    if raw:
        return "labels: groundtruth.csv as it is (--raw-labels)"
    return (f"labels: groundtruth.csv with {len(LABEL_CORRECTIONS)} wrong labels corrected "
            "(benchmarks/_data.py LABEL_CORRECTIONS; --raw-labels for the file as it is)")


def is_held_out(file_name: str) -> bool:
    """Whether a real crop belongs to the test part: 2 in 5 by CRC32 of its file name.

    Stable across machines and Python versions (unlike ``hash``); about 40% of the
    crops, so that the test part (~140 plates) measures to about one percent.
    """
    return zlib.crc32(Path(file_name).name.encode("utf-8")) % 5 < 2


def read_recorded_reads(root: Path) -> dict[str, str]:
    """OpenALPR's own reads of the ``seg_and_ocr`` crops (``results.csv``): file -> text."""
    reads = {}
    for line in (Path(root) / "seg_and_ocr" / "results.csv").read_text().splitlines():
        fields = line.strip().split(",")
        if len(fields) >= 3:
            reads[fields[0]] = fields[2]
    return reads


def write_labels_csv(crops: list[LabelledCrop], path: Path) -> Path:
    """Write crops as a ``filename,text`` CSV (with header) for ``platechar harvest`` and
    the training commands. File names are absolute, so the CSV works from any folder;
    the images themselves stay where they are, outside the repository."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["filename,text"] + [f"{c.image_path.resolve()},{c.text}" for c in crops]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def record_measured(sidecar: Path, key: str, figures: dict) -> Path:
    """Write ``figures`` into a model's JSON sidecar under ``measured[key]``, so a model
    says what it reads with the command that measured it. The sidecar is not covered by
    the model files' SHA-256 sums, so the model stays valid."""
    import json

    sidecar = Path(sidecar)
    info = json.loads(sidecar.read_text(encoding="utf-8"))
    info.setdefault("measured", {})[key] = figures
    sidecar.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return sidecar


def o_is_0(text: str) -> str:
    """The labels write digit 0 for letter O; this reads both as 0 (a fair, looser score)."""
    return text.replace("O", "0")


def score(read: list[str], truth: list[str]) -> dict[str, float]:
    """Exact-plate share and character error rate, strict and with O taken as 0."""
    from classifier.train_crnn import sequence_metrics

    strict = sequence_metrics(read, truth)
    loose = sequence_metrics([o_is_0(t) for t in read], [o_is_0(t) for t in truth])
    return {"exact": strict["seq_acc"], "exact_o0": loose["seq_acc"], "cer": strict["cer"],
            "cer_o0": loose["cer"]}


def print_paired(ours: list[bool], theirs: list[bool], name: str) -> None:
    """One line: the plates only this reader and only ``name`` read exactly, the exact
    McNemar test of that split (:func:`platechar.metrics.paired_test`), and the plates
    neither reads."""
    from platechar.metrics import paired_test

    test = paired_test(ours, theirs)
    print(f"  against {name} on the same {test['plates']} plates: {test['only_a']} read only "
          f"by this one, {test['only_b']} only by that one; exact McNemar p = {test['p']:.3g}; "
          f"{test['neither']} read by neither (at least one reads {test['either']:.1%})")


def fonts_used() -> str:
    """One line for a benchmark's output: the fonts synthetic plates are drawn with.

    ``fonts="all"`` takes the machine's installed sans fonts beside matplotlib's and
    OpenCV's, so installing one changes every synthetic figure (with Liberation Sans
    Narrow, Nimbus Sans Narrow and Roboto Condensed installed, 16 fonts instead of 8,
    ``bench_segmentation.py --augment none`` went from 95.0% to 94.2% of the plates of
    seed 7). Figures are comparable only with the same fonts; this line says which.
    """
    from platechar.synth.fonts import font_names

    names = font_names("all")
    return f"fonts ({len(names)}, platechar synth --list-fonts): {', '.join(names)}"
