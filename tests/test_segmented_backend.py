"""The segmented backend end to end: segmentation + the shipped character CNN."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import platechar
from platechar.cli import main
from platechar.syntax import LOOKALIKES


@pytest.fixture(scope="module")
def plates():
    from platechar.synth import generate_plates

    return generate_plates(30, seed=41, augment="none", fonts="bundled", styles="us,eu,dark",
                           workers=1)


def test_recognize_reads_synthetic_crops(plates):
    reader = platechar.Reader("segmented")
    readings = [reader.recognize(p.image) for p in plates]
    exact = sum(r.text == p.text for r, p in zip(readings, plates, strict=True))
    assert exact >= 24, f"{exact}/30 clean synthetic crops read exactly (measured 28)"
    for reading in readings:
        assert reading.backend == "segmented"
        assert 0.0 <= reading.confidence <= 1.0
        assert len(reading.chars) == len(reading.text)
        for char in reading.chars:
            assert char.box is not None and len(char.alternatives) == 2
            first, odds = char.alternatives[0]
            # the CNN's first choice, or a look-alike the plate syntax put in its place
            assert char.confidence >= odds or any(
                {char.text, first} <= set(group) for group in LOOKALIKES)
        assert {"segment", "classify"} <= set(reading.timings)


def test_unreadable_crop_reads_empty_with_zero_confidence():
    reading = platechar.recognize(np.full((60, 150, 3), 128, np.uint8))
    assert reading.text == "" and reading.confidence == 0.0


def test_read_finds_and_reads_sample_scene():
    readings = platechar.read("sample_images/scenes/scene_0000000.jpg")
    assert readings, "a plate is found in the sample scene"
    assert all(r.box is not None and r.backend == "segmented" for r in readings)


def test_cli_read_crops_json(tmp_path, capsys, plates):
    import cv2

    path = tmp_path / "crop.png"
    cv2.imwrite(str(path), plates[0].image)
    status = main(["read", "--crops", "--json", str(path), str(tmp_path / "missing.png")])
    assert status == 1
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["plates"][0]["backend"] == "segmented"
    assert len(first["plates"][0]["chars"]) == len(first["plates"][0]["text"])
    assert "error" in second


def test_reading_path_never_imports_tensorflow():
    code = ("import sys, numpy as np, platechar; "
            "platechar.recognize(np.full((60, 150, 3), 200, np.uint8)); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]
