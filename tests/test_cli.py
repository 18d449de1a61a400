"""The ``platechar`` command, run in-process through ``cli.main`` (and once as a program)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import platechar
from platechar import reader as reader_module
from platechar.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_help_names_the_verbs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "detect" in out and "find licence plates" in out


def test_detect_help_explains_its_options(capsys):
    with pytest.raises(SystemExit):
        main(["detect", "--help"])
    out = capsys.readouterr().out
    for option in ("IMAGE", "--json", "--annotate OUT_DIR", "--max-candidates N", "Exit status"):
        assert option in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"platechar {platechar.__version__}"


def test_no_verb_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: platechar" in capsys.readouterr().out


def test_module_runs_as_a_program():
    result = subprocess.run([sys.executable, "-m", "platechar", "--help"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "detect" in result.stdout


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_detect_json_on_a_drawn_scene(capsys, plate_scene_path):
    assert main(["detect", str(plate_scene_path), "--json", "--max-candidates", "2"]) == 0
    [report] = json_lines(capsys.readouterr().out)
    assert report["file"] == str(plate_scene_path)
    assert len(report["plates"]) <= 2
    for plate in report["plates"]:
        assert set(plate) >= {"box", "quad", "score", "method"}
        assert len(plate["box"]) == 4 and all(isinstance(v, int) for v in plate["box"])
        assert np.array(plate["quad"]).shape == (4, 2)
        assert 0.0 <= plate["score"] <= 1.0


@pytest.fixture
def known_candidates(monkeypatch) -> list[platechar.PlateCandidate]:
    """Replace the detector (still being tuned) by two fixed candidates, best first."""
    def candidate(x, y, score):
        quad = np.array([[x, y], [x + 120, y], [x + 120, y + 30], [x, y + 30]], np.float32)
        crop = np.full((30, 120, 3), int(score * 255), np.uint8)
        return platechar.PlateCandidate((x, y, 120, 30), quad, crop, score, "characters")

    candidates = [candidate(100, 150, 0.9), candidate(20, 40, 0.3)]
    monkeypatch.setattr(reader_module, "detect", lambda image, **_: candidates)
    return candidates


def test_detect_prints_one_line_per_candidate(capsys, plate_scene_path, known_candidates):
    assert main(["detect", str(plate_scene_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{plate_scene_path}: #1 box=(100, 150, 120, 30) score=0.900 (characters)",
        f"{plate_scene_path}: #2 box=(20, 40, 120, 30) score=0.300 (characters)",
    ]


def test_a_missing_file_is_reported_and_the_others_still_run(capsys, plate_scene_path,
                                                              known_candidates):
    missing = plate_scene_path.with_name("missing.png")
    status = main(["detect", str(missing), str(plate_scene_path), "--json"])
    captured = capsys.readouterr()
    assert status == 1
    assert "missing.png" in captured.err and "does not exist" in captured.err
    bad, good = json_lines(captured.out)
    assert bad["file"] == str(missing) and "does not exist" in bad["error"]
    assert good["file"] == str(plate_scene_path)
    assert [plate["score"] for plate in good["plates"]] == [0.9, 0.3]


def test_annotate_draws_candidates_and_saves_the_best_crop(tmp_path, plate_scene_path,
                                                           known_candidates, capsys):
    twin = tmp_path / "elsewhere" / plate_scene_path.name  # same file name, other folder
    twin.parent.mkdir()
    twin.write_bytes(plate_scene_path.read_bytes())
    out_dir = tmp_path / "annotated" / "run1"

    assert main(["detect", str(plate_scene_path), str(twin), "--annotate", str(out_dir)]) == 0

    names = sorted(path.name for path in out_dir.iterdir())
    assert names == ["scene-2.detected.png", "scene-2.plate.png",
                     "scene.detected.png", "scene.plate.png"]
    drawn = cv2.imread(str(out_dir / "scene.detected.png"))
    assert drawn.shape == cv2.imread(str(plate_scene_path)).shape
    best_edge, other_edge = drawn[150, 160], drawn[40, 80]  # top edges of the two quads
    assert best_edge[1] > 150 and best_edge[2] < 80, "the best candidate is outlined in green"
    assert other_edge[1] > 150 and other_edge[2] > 150, "the others are outlined in yellow"
    crop = cv2.imread(str(out_dir / "scene.plate.png"))
    np.testing.assert_array_equal(crop, known_candidates[0].crop)


def test_annotate_into_a_file_is_refused(tmp_path, plate_scene_path, capsys):
    not_a_folder = tmp_path / "taken"
    not_a_folder.write_text("x")
    assert main(["detect", str(plate_scene_path), "--annotate", str(not_a_folder)]) == 1
    assert "cannot create the folder" in capsys.readouterr().err


def test_max_candidates_must_be_positive(capsys, plate_scene_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", str(plate_scene_path), "--max-candidates", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err
