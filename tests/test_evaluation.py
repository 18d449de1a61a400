"""Evaluation and comparison: datasets in every form, the measures, the blame, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from detection.types import PlateCandidate
from platechar import metrics
from platechar import reader as reader_module
from platechar.cli import main
from platechar.datasets import (
    crops_from_csv,
    crops_from_names,
    normalize_text,
    open_dataset,
    scenes_from_folder,
)
from platechar.errors import DatasetError
from platechar.evaluation import Comparison, blame, compare, evaluate
from platechar.results import PlateReading

SAMPLES = Path(__file__).resolve().parents[1] / "sample_images"


# --- measures ------------------------------------------------------------------------

def test_align_prefers_one_substitution():
    steps = metrics.align("ABC", "A8C")
    assert [(s.op, s.truth, s.read) for s in steps] == [("=", "A", "A"), ("sub", "B", "8"),
                                                         ("=", "C", "C")]
    assert [s.op for s in metrics.align("ABC", "AC")] == ["=", "del", "="]
    assert [s.op for s in metrics.align("AB", "XAB")] == ["ins", "=", "="]
    assert metrics.edit_distance("KITTEN", "SITTING") == 3
    assert metrics.edit_distance("", "AB") == 2


def test_reading_metrics_count_what_they_say():
    result = metrics.reading_metrics(["ABC123", "XY12", "B8B8"], ["ABC123", "XY1", "88B8"])
    assert result["plates"] == 3
    assert result["exact"] == pytest.approx(1 / 3)
    assert result["cer"] == pytest.approx(2 / 14)
    assert result["char_accuracy"] == pytest.approx(12 / 14)
    assert result["by_length"] == {4: {"plates": 2, "exact": 0.0}, 6: {"plates": 1, "exact": 1.0}}
    assert result["substitutions"] == [["B", "8", 1]]
    assert result["deleted"] == {"2": 1} and result["inserted"] == {}
    with pytest.raises(ValueError):
        metrics.reading_metrics(["A"], [])


def test_calibration_and_acceptance():
    confidences = [0.99, 0.98, 0.95, 0.6, 0.55, 0.1]
    correct = [True, True, False, True, False, False]
    bins = metrics.calibration(confidences, correct)
    assert sum(b["plates"] for b in bins) == 6
    top = bins[-1]
    assert (top["low"], top["plates"], top["accuracy"]) == (0.9, 3, pytest.approx(2 / 3))
    accepted = metrics.accept_at_error_rate(confidences, correct, 0.0)
    assert accepted["threshold"] == 0.98 and accepted["accepted"] == pytest.approx(2 / 6)
    loose = metrics.accept_at_error_rate(confidences, correct, 0.34)
    assert loose["threshold"] == 0.6 and loose["error"] == pytest.approx(1 / 4)
    assert metrics.accept_at_error_rate([0.9], [False], 0.0)["threshold"] is None
    above = metrics.accuracy_above(confidences, correct, 0.9)
    assert above["accepted"] == 0.5 and above["accuracy"] == pytest.approx(2 / 3)


def test_wilson_interval_brackets_the_share_and_stays_in_range():
    lo, hi = metrics.wilson_interval(76, 110)
    assert (round(lo, 3), round(hi, 3)) == (0.599, 0.770)  # textbook Wilson score values
    assert metrics.wilson_interval(0, 10)[0] == 0.0 and metrics.wilson_interval(0, 10)[1] < 0.3
    assert metrics.wilson_interval(10, 10)[1] == 1.0 and metrics.wilson_interval(10, 10)[0] > 0.7
    assert metrics.wilson_interval(0, 0) == (0.0, 1.0)
    narrow, wide = metrics.wilson_interval(500, 1000), metrics.wilson_interval(5, 10)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert metrics.reading_metrics(["AB", "CD"], ["AB", "XX"])["exact_interval"] == list(
        metrics.wilson_interval(1, 2))


def test_paired_test_counts_the_plates_only_one_reads():
    a = [True] * 5 + [False] * 17 + [True] * 70 + [False] * 18
    b = [False] * 5 + [True] * 17 + [True] * 70 + [False] * 18
    test = metrics.paired_test(a, b)
    assert (test["plates"], test["only_a"], test["only_b"]) == (110, 5, 17)
    assert (test["both"], test["neither"]) == (70, 18)
    assert test["either"] == pytest.approx(92 / 110)
    assert test["p"] == pytest.approx(0.0169, abs=1e-4)  # 2 * P(X <= 5), X ~ Bin(22, 1/2)
    assert metrics.paired_test(b, a)["p"] == test["p"]
    assert metrics.paired_test([True, False], [True, False])["p"] == 1.0
    assert metrics.paired_test([True] * 3, [False] * 3)["p"] == pytest.approx(0.25)
    assert metrics.paired_test([], [])["either"] == 0.0
    with pytest.raises(ValueError):
        metrics.paired_test([True], [True, False])


def test_detection_metrics_match_each_plate_once():
    truth = [(10, 10, 100, 30)]
    images = [
        (truth, [((12, 11, 98, 30), 0.9), ((12, 11, 98, 30), 0.8), ((300, 0, 50, 20), 0.7)]),
        ([(0, 0, 50, 20)], [((200, 200, 50, 20), 0.95)]),
    ]
    result = metrics.detection_metrics(images)
    assert (result["plates"], result["predictions"]) == (2, 4)
    assert result["precision"] == pytest.approx(1 / 4) and result["recall"] == 0.5
    assert result["f1"] == pytest.approx(2 * 0.25 * 0.5 / 0.75)
    # ranked: miss (0.95), hit (0.9) ...: recall reaches 0.5 at precision 1/2
    assert result["average_precision"] == pytest.approx(0.25)


# --- datasets ------------------------------------------------------------------------

def _crop_folder(tmp_path) -> Path:
    folder = tmp_path / "crops"
    folder.mkdir()
    for name in ("crop_0000001.png", "crop_0000002.png"):
        shutil.copy(SAMPLES / "crops" / name, folder / name)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return folder


def test_labels_csv_reports_and_skips_bad_rows(tmp_path):
    folder = _crop_folder(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("filename,region,text\ncrop_0000001.png,us,ato-8g26\n"
                      "crop_0000002.png,us,AO5407\nonly-one-field\nbroken.png,us,ZZ11\n"
                      "x.png,us,AB?1\n")
    data = crops_from_csv(labels, folder)
    assert [(i.name, i.text) for i in data.items] == [
        ("crop_0000001.png", "ATO8G26"), ("crop_0000002.png", "AO5407"), ("broken.png", "ZZ11")]
    assert len(data.problems) == 2
    assert "line 4" in data.problems[0] and "AB?1" in data.problems[1]


def test_names_scenes_and_synthetic(tmp_path):
    folder = tmp_path / "named"
    folder.mkdir()
    shutil.copy(SAMPLES / "crops" / "crop_0000001.png", folder / "ATO8G26.png")
    shutil.copy(SAMPLES / "crops" / "crop_0000002.png", folder / "AO5407_2.png")
    shutil.copy(SAMPLES / "crops" / "crop_0000003.png", folder / "not a plate!.png")
    named = crops_from_names(folder)
    assert sorted(i.text for i in named.items) == ["AO5407", "ATO8G26"]
    assert len(named.problems) == 1
    scenes = scenes_from_folder(SAMPLES / "scenes")  # one .txt per photo plus labels.txt
    assert [len(s.plates) for s in scenes.items] == [1, 1, 1] and not scenes.problems
    synthetic = open_dataset(synthetic=3, seed=5)
    again = open_dataset(synthetic=3, seed=5)
    assert [i.text for i in synthetic.items] == [i.text for i in again.items]
    assert synthetic.items[0].load().dtype == np.uint8
    assert open_dataset(SAMPLES / "scenes").kind == "scenes"
    assert open_dataset(SAMPLES / "crops" / "labels.csv").kind == "crops"
    assert normalize_text(" ab-12 c ") == "AB12C"


def test_bad_scene_labels_are_reported(tmp_path):
    shutil.copy(SAMPLES / "scenes" / "scene_0000000.jpg", tmp_path / "a.jpg")
    (tmp_path / "a.txt").write_text("a.jpg\t372\t226\t132\t67\tUAV522\n")
    (tmp_path / "b.txt").write_text("b.jpg 1 2 three 4 ABC\n")
    (tmp_path / "c.txt").write_text("c.jpg 1 2 3 4 ABC\n")  # the photo is missing
    data = scenes_from_folder(tmp_path)
    assert [s.name for s in data.items] == ["a.jpg"]
    assert any("b.txt" in p and "four numbers" in p for p in data.problems)
    assert any("c.jpg" in p for p in data.problems)


def test_open_dataset_refuses_clearly(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        open_dataset(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="say what to evaluate"):
        open_dataset()
    with pytest.raises(DatasetError, match="labels CSV"):
        open_dataset(tmp_path, kind="crops")
    with pytest.raises(DatasetError, match="does not exist"):
        crops_from_csv(tmp_path / "missing.csv")
    with pytest.raises(DatasetError, match="unknown dataset kind"):
        open_dataset(tmp_path, kind="videos")


# --- evaluation ----------------------------------------------------------------------

def test_blame_by_backend():
    assert blame("segmented", "ABC1", "ABC1") is None
    assert blame("segmented", "ABC1", "ABC") == "character count"
    assert blame("segmented", "ABC1", "ABCI") == "classification"
    assert blame("holistic", "ABC1", "ABC") == "misread"


def test_compare_on_crops_skips_a_broken_image(tmp_path):
    folder = _crop_folder(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("crop_0000001.png,ATO8G26\nbroken.png,ZZ11\ncrop_0000002.png,AO5407\n")
    data = crops_from_csv(labels, folder)
    result = compare(data, keep_errors=True, progress=False)
    assert isinstance(result, Comparison) and list(result.evaluations) == ["segmented",
                                                                            "holistic"]
    for backend, evaluation in result.evaluations.items():
        assert [o.name for o in evaluation.outcomes] == ["crop_0000001.png", "crop_0000002.png"]
        assert len(evaluation.problems) == 1 and "broken.png" in evaluation.problems[0]
        found = evaluation.metrics()
        assert found["plates"] == 2 and found["skipped"] == 1
        assert sum(found["errors"].values()) == sum(not o.correct for o in evaluation.outcomes)
        for outcome in evaluation.outcomes:
            assert outcome.error == blame(backend, outcome.truth, outcome.read)
            assert (outcome.crop is not None) == (outcome.error is not None)
            assert outcome.seconds > 0
        assert found["stage_ms"]
    rows = result.disagreements()
    for row in rows:
        assert len(set(row["reads"].values())) > 1
    json.dumps(result.to_dict())


def test_evaluate_scenes_measures_detection():
    data = open_dataset(SAMPLES / "scenes")
    evaluation = evaluate(data, "holistic", progress=False)
    found = evaluation.metrics()
    assert found["plates"] == 3
    detection = found["detection"]
    assert detection["best"]["images"] == 3
    assert 0.0 <= detection["average_precision"] <= 1.0
    missed = sum(o.error == "detection missed" for o in evaluation.outcomes)
    assert missed == found["errors"]["detection missed"]
    assert missed == sum(o.box is None for o in evaluation.outcomes)


class _SignThenPlate:
    """A detector that prefers a sign to each photo's plate, and a backend that reads
    both confidently: the sign as TEXAS, the plate as its true text (crops say which)."""

    def __init__(self, data):
        self.plates = [item.plates[0] for item in data.items]

    def detect(self, image, **_):
        (x, y, w, h), text = self.plates.pop(0)
        self.text = text
        sign = np.zeros((20, 80, 3), np.uint8)
        plate = np.full((20, 80, 3), 255, np.uint8)
        quad = np.zeros((4, 2), np.float32)
        return [PlateCandidate((0, 0, 80, 20), quad, sign, 0.9),
                PlateCandidate((x, y, w, h), quad, plate, 0.5)]

    def recognize(self, crop):
        text = self.text if crop[0, 0, 0] else "TEXAS"
        return PlateReading(text, 0.9, "holistic")


@pytest.mark.parametrize("region, first", [("any", 1.0), ("off", 0.0)])
def test_scenes_are_also_scored_by_the_first_reading(monkeypatch, region, first):
    data = open_dataset(SAMPLES / "scenes")
    fake = _SignThenPlate(data)
    monkeypatch.setattr(reader_module, "detect", fake.detect)
    monkeypatch.setattr(reader_module, "BACKENDS", {"holistic": lambda: fake})

    found = evaluate(data, "holistic", progress=False, region=region).metrics()

    assert found["exact"] == 1.0  # the plate's own candidate reads right (lenient)
    assert found["exact_first"] == first  # ... but is it what the reader puts first?


# --- command line --------------------------------------------------------------------

def test_cli_evaluate_json(capsys):
    status = main(["evaluate", str(SAMPLES / "crops" / "labels.csv"), "--backend", "holistic",
                   "--json", "--no-progress"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    result = out["backends"]["holistic"]
    assert result["metrics"]["plates"] == 6 and len(result["plates"]) == 6
    assert out["command"].startswith("platechar evaluate ")


def test_cli_compare_writes_a_self_contained_report(tmp_path, capsys):
    status = main(["compare", "--synthetic", "4", "--seed", "3", "--report",
                   str(tmp_path / "report"), "--no-progress"])
    captured = capsys.readouterr()
    assert status == 0
    assert "segmented" in captured.out and "holistic" in captured.out
    assert "reproduce: platechar compare --synthetic 4 --seed 3" in captured.out
    assert "95% interval" in captured.out
    assert "segmented vs holistic on the same 4 plates:" in captured.out
    assert "McNemar p = " in captured.out
    page = (tmp_path / "report" / "index.html").read_text()
    assert "McNemar" in page
    assert page.count("data:image/png;base64,") >= 3
    assert "http://" not in page and "https://" not in page
    saved = json.loads((tmp_path / "report" / "results.json").read_text())
    assert set(saved["backends"]) == {"segmented", "holistic"}
    (pair,) = saved["paired"]
    assert (pair["a"], pair["b"], pair["plates"]) == ("segmented", "holistic", 4)
    right = {b: [p["read"] == p["truth"] for p in saved["backends"][b]["plates"]]
             for b in ("segmented", "holistic")}
    assert pair["only_a"] == sum(a and not b for a, b in zip(*right.values(), strict=True))
    assert pair["neither"] == sum(not (a or b) for a, b in zip(*right.values(), strict=True))
    assert f"at least one of them reads {pair['either']:.1%}" in captured.out


def test_cli_reports_skipped_items_and_bad_data(tmp_path, capsys):
    folder = _crop_folder(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("crop_0000001.png,ATO8G26\nbroken.png,ZZ11\n")
    status = main(["evaluate", str(folder), "--labels", str(labels), "--no-progress"])
    captured = capsys.readouterr()
    assert status == 1
    assert "broken.png" in captured.err and "skipped" in captured.err
    assert "plates" in captured.out
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.png"
    cv2.imwrite(str(bad), np.zeros((4, 4), np.uint8))
    assert main(["evaluate", str(bad)]) == 1  # an image is not a labels CSV
    assert "is one image, not labelled data" in capsys.readouterr().err
