"""Readers for the OpenALPR benchmark data that the benchmark scripts measure on.

The data is licensed separately and lives outside the repository; scripts take its
path as an argument (default: ``../shared/data/openalpr-benchmarks`` next to the repo).
"""

from __future__ import annotations

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
