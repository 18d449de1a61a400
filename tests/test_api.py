"""The public Python surface: cheap import, names, backend glue, results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import platechar
from platechar import reader as reader_module
from platechar.results import CharReading, PlateReading

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_import_is_lazy_and_fast():
    probe = (
        "import json, sys, time\n"
        "started = time.perf_counter()\n"
        "import platechar\n"
        "seconds = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': seconds,"
        " 'heavy': sorted({'tensorflow', 'keras', 'cv2'} & set(sys.modules))}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=True)
    report = json.loads(result.stdout)
    assert report["heavy"] == []
    assert report["seconds"] < 1.0


def test_every_public_name_resolves():
    for name in platechar.__all__:
        assert getattr(platechar, name) is not None, name
    assert set(platechar.__all__) <= set(dir(platechar))
    assert platechar.PlateCandidate.__module__ == "detection.types"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        platechar.nope  # noqa: B018


def test_unknown_backend_names_the_known_ones(plate_scene):
    with pytest.raises(platechar.PlatecharError, match="'segmented', 'holistic'"):
        platechar.Reader(backend="segmentd")
    with pytest.raises(platechar.PlatecharError, match="unknown backend 'ocr'"):
        platechar.read(plate_scene, backend="ocr")


@pytest.mark.parametrize("backend", ["segmented", "holistic"])
def test_backend_without_a_model_raises_model_error(monkeypatch, plate_scene, backend):
    monkeypatch.setattr(reader_module, "BACKENDS", {})
    monkeypatch.setattr(reader_module, "_default_readers", {})
    with pytest.raises(platechar.ModelError, match=f"no model for backend '{backend}'"):
        platechar.Reader(backend=backend).read(plate_scene)
    with pytest.raises(platechar.ModelError, match="platechar.detect()"):
        platechar.recognize(plate_scene[:64, :64], backend=backend)


class FixedTextRecognizer:
    """A test double standing in for a backend: reads every crop as the same text."""

    def __init__(self, text: str = "AB12"):
        self.text = text
        self.crops: list[np.ndarray] = []

    def recognize(self, crop_bgr: np.ndarray) -> PlateReading:
        self.crops.append(crop_bgr)
        chars = tuple(CharReading(char, 0.9, alternatives=(("8", 0.05),)) for char in self.text)
        return PlateReading(self.text, 0.9, "segmented", chars=chars, timings={"classify": 0.001})


@pytest.fixture
def fixed_backend(monkeypatch) -> FixedTextRecognizer:
    recognizer = FixedTextRecognizer()
    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": lambda: recognizer})
    monkeypatch.setattr(reader_module, "_default_readers", {})
    return recognizer


def test_read_places_each_reading_on_its_detected_plate(fixed_backend, monkeypatch, plate_scene):
    crop = np.full((40, 160, 3), 200, np.uint8)
    candidate = platechar.PlateCandidate(
        box=(10, 20, 160, 40), quad=np.array([[10, 20], [170, 20], [170, 60], [10, 60]], float),
        crop=crop, score=0.8)
    monkeypatch.setattr(reader_module, "detect", lambda image, **_: [candidate])

    [reading] = platechar.Reader().read(plate_scene)

    assert fixed_backend.crops == [crop]
    assert (reading.text, reading.backend, reading.box) == ("AB12", "segmented", (10, 20, 160, 40))
    assert reading.crop is crop
    assert {"load", "detect", "recognize", "classify"} <= set(reading.timings)
    summary = json.loads(json.dumps(reading.to_dict()))
    assert summary["quad"][2] == [170.0, 60.0]
    assert [c["text"] for c in summary["chars"]] == ["A", "B", "1", "2"]
    assert "crop" not in summary


class TextPerCropRecognizer:
    """Reads each crop as the text its gray level stands for, with a set confidence."""

    def __init__(self, texts: dict[int, tuple[str, float]]):
        self.texts = texts

    def recognize(self, crop_bgr: np.ndarray) -> PlateReading:
        text, confidence = self.texts[int(crop_bgr[0, 0, 0])]
        chars = tuple(CharReading(char, confidence ** (1 / len(text))) for char in text)
        return PlateReading(text, confidence, "segmented", chars=chars)


def _candidate(level: int, x: int, score: float) -> platechar.PlateCandidate:
    quad = np.array([[x, 20], [x + 160, 20], [x + 160, 60], [x, 60]], float)
    return platechar.PlateCandidate(box=(x, 20, 160, 40), quad=quad,
                                    crop=np.full((40, 160, 3), level, np.uint8), score=score)


@pytest.mark.parametrize("region, first", [("any", "ABC1234"), ("off", "TEXAS")])
def test_read_puts_the_likeliest_plate_first(monkeypatch, plate_scene, region, first):
    # The detector likes a sign ("TEXAS") better than the plate, and both read confidently:
    # only the plate syntax tells them apart, so with region="off" the sign stays first.
    recognizer = TextPerCropRecognizer({10: ("TEXAS", 0.9), 20: ("ABC1234", 0.8),
                                        30: ("", 0.0)})
    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": lambda: recognizer})
    candidates = [_candidate(10, 0, 0.9), _candidate(30, 200, 0.8), _candidate(20, 400, 0.6)]
    monkeypatch.setattr(reader_module, "detect", lambda image, **_: candidates)

    readings = platechar.Reader(region=region).read(plate_scene)

    assert readings[0].text == first
    assert readings[-1].text == "", "an unread candidate goes last"
    assert sorted(r.box[0] for r in readings) == [0, 200, 400], "every candidate is kept"


def test_rank_weighs_score_confidence_and_syntax():
    reader = platechar.Reader(region="br")
    plate = PlateReading("ABC1234", 0.5, "segmented")
    sign = PlateReading("SALVADOR", 0.99, "segmented")
    assert reader.rank([sign, plate], [0.9, 0.2]) == [1, 0]
    assert reader.rank([plate, sign], [0.2, 0.9]) == [0, 1]
    # without a syntax the detector's score and the confidence decide
    assert platechar.Reader(region="off").rank([sign, plate], [0.9, 0.2]) == [0, 1]
    weak = PlateReading("ABC1234", 0.1, "segmented")
    assert reader.rank([weak, plate], [0.9, 0.2]) == [1, 0]  # 0.9 x 0.1 < 0.2 x 0.5


def test_recognize_reads_a_crop_given_as_any_image_kind(fixed_backend, plate_scene):
    reading = platechar.Reader().recognize(plate_scene[:, :, 0])  # gray array
    assert reading.text == "AB12" and reading.box is None
    assert fixed_backend.crops[0].shape == (*plate_scene.shape[:2], 3)


def test_read_batch_reports_a_bad_item_and_goes_on(fixed_backend, plate_scene, tmp_path):
    missing = tmp_path / "missing.jpg"
    results = platechar.Reader().read_batch(iter([plate_scene, missing, b"not an image",
                                                  plate_scene]))
    assert len(results) == 4
    assert isinstance(results[0], list) and isinstance(results[3], list)
    assert isinstance(results[1], platechar.ImageError) and "missing.jpg" in str(results[1])
    assert isinstance(results[2], platechar.ImageError)


def test_read_batch_raises_a_missing_model_before_any_work(monkeypatch, plate_scene):
    monkeypatch.setattr(reader_module, "BACKENDS", {})
    with pytest.raises(platechar.ModelError):
        platechar.Reader().read_batch([plate_scene])


def test_detect_loads_any_image_kind_and_fills_stages(plate_scene_path):
    stages: dict = {}
    candidates = platechar.detect(plate_scene_path, max_candidates=2, stages=stages)
    assert len(candidates) <= 2
    assert all(isinstance(c, platechar.PlateCandidate) for c in candidates)
    assert stages and all(isinstance(image, np.ndarray) for image in stages.values())
    with pytest.raises(platechar.ImageError, match="does not exist"):
        platechar.detect(plate_scene_path.with_name("gone.png"))
    with pytest.raises(ValueError, match="max_candidates"):
        platechar.detect(plate_scene_path, max_candidates=0)


def test_readings_refuse_characters_that_do_not_spell_the_text():
    with pytest.raises(ValueError, match="line up"):
        PlateReading("AB", 0.5, "holistic", chars=(CharReading("A", 0.5),))
    with pytest.raises(ValueError, match="0..1"):
        PlateReading("", 1.5, "holistic")
    with pytest.raises(ValueError, match="one character"):
        CharReading("AB", 0.5)
