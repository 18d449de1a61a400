"""What the teaching notebooks in ``notebooks/`` share: where the sample images are, and
how a figure is shown (saved to the notebook's temporary folder, displayed in Jupyter)."""

from __future__ import annotations

import sys
from pathlib import Path

from platechar.errors import PlatecharError


def sample_images() -> Path:
    """The repository's ``sample_images/`` folder: looked for from the current folder up
    (a notebook run from anywhere in a clone), then beside the installed package."""
    here = Path.cwd().resolve()
    package_repo = Path(__file__).resolve().parents[2]
    for folder in (here, *here.parents, package_repo):
        if (folder / "sample_images").is_dir():
            return folder / "sample_images"
    raise PlatecharError("the notebooks need platechar's sample_images/ folder: run them "
                         "from a clone of the repository")


def show_figure(figure, name: str, folder: Path) -> Path:
    """Save ``figure`` as ``folder/name.png`` and, inside Jupyter, display it."""
    path = Path(folder) / f"{name}.png"
    figure.savefig(path, dpi=100, facecolor="white")
    if "ipykernel" in sys.modules:
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    print(f"[figure] {path}")
    return path
