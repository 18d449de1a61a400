"""The teaching notebooks (plain-text percent-format .py files in notebooks/) run top to
bottom in their quick mode (PLATECHAR_QUICK=1: tiny data, 2 epochs), each as a fresh
Python process, and write nothing into the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9]*.py"))


def snapshot(*folders: Path) -> dict[str, float]:
    """Every file under the folders, with its modification time."""
    return {str(p): p.stat().st_mtime for folder in folders for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_four_notebooks_are_there():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_classical_pipeline", "02_train_character_cnn", "03_crnn_and_ctc",
                     "04_segmented_vs_holistic"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_percent_format(notebook):
    text = notebook.read_text(encoding="utf-8")
    assert text.startswith("# %% [markdown]\n# # ")  # opens with its title
    cells = re.findall(r"^# %%( \[markdown\])?$", text, flags=re.MULTILINE)
    assert sum(1 for c in cells if c) >= 4 and sum(1 for c in cells if not c) >= 4
    assert "PLATECHAR_QUICK" in text and "tempfile.mkdtemp" in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_quick_mode(notebook, tmp_path):
    env = {**os.environ, "PLATECHAR_QUICK": "1", "MPLBACKEND": "Agg", "TMPDIR": str(tmp_path),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    watched = (REPO_ROOT / "notebooks", REPO_ROOT / "sample_images")
    before = snapshot(*watched)
    result = subprocess.run([sys.executable, str(notebook)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert snapshot(*watched) == before, "a notebook wrote into the repository"
    written = list(tmp_path.glob("platechar-notebook-*/*.png"))
    assert written, "the notebook saved no figures in its temporary folder"
    assert "[figure]" in result.stdout
