"""benchmarks/bench_models.py: two models' plate-by-plate splits, per set and pooled."""

import pytest

from benchmarks.bench_models import format_rows, main


def test_the_pooled_row_adds_the_sets_plate_by_plate():
    rows = [("held-out crops", [True, True, False, True], [True, False, False, False]),
            ("endtoend/us", [False, True], [True, True])]
    table = format_rows(rows).splitlines()
    assert table[1].split() == ["held-out", "crops", "4", "75.0%", "25.0%", "2", "0", "0.500"]
    assert table[2].split() == ["endtoend/us", "2", "50.0%", "100.0%", "0", "1", "1.000"]
    # 6 plates: A reads 4, B 3; only A 2, only B 1
    assert table[3].split() == ["all,", "pooled", "6", "66.7%", "50.0%", "2", "1", "1.000"]


def test_one_set_has_no_pooled_row():
    assert "pooled" not in format_rows([("endtoend/eu", [True], [False])])


def test_unknown_sets_and_missing_data_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["m.onnx", "--sets", "endtoend/xx", "--data", str(tmp_path)])
    assert "unknown sets ['endtoend/xx']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["m.onnx", "--data", str(tmp_path / "nothing")])
    assert "no data at" in capsys.readouterr().err


def test_a_platechar_error_is_one_line_not_a_traceback(tmp_path, capsys):
    (tmp_path / "endtoend" / "us").mkdir(parents=True)
    assert main(["m.onnx", "m.onnx", "--sets", "endtoend/us", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bench_models: ") and "Traceback" not in err


def test_record_writes_the_model_figures_into_its_sidecar(tmp_path):
    import json

    from benchmarks.bench_models import record

    sidecar = tmp_path / "charnet.json"
    sidecar.write_text(json.dumps({"kind": "charnet", "measured": {"other": 1}}))
    rows = [("held-out crops", [True, True, False, True], [True, False, False, False]),
            ("endtoend/us", [False, True], [True, True])]
    record(rows, sidecar, against="shipped", region=False, raw=False)
    info = json.loads(sidecar.read_text())
    figures = info["measured"]["real_plates"]
    assert info["measured"]["other"] == 1 and info["kind"] == "charnet"
    assert figures["sets"]["held-out crops"] == {"plates": 4, "exact": 0.25}
    assert figures["sets"]["endtoend/us"] == {"plates": 2, "exact": 1.0}
    assert figures["pooled"] == {"plates": 6, "read": 3, "exact": 0.5}
    assert figures["against"] == {"model": "shipped", "read": 4, "only_this": 1,
                                  "only_against": 2, "p": 1.0}
    record(rows[:1], sidecar, against="a.onnx", region=True, raw=True)
    with_region = json.loads(sidecar.read_text())["measured"]["real_plates_with_region"]
    assert with_region["region"] == "each set's" and "as it is" in with_region["labels"]
    assert with_region["pooled"]["plates"] == 4


def test_record_from_the_command_line_goes_into_the_model_read(tmp_path, capsys):
    """main(..., --record) on a tiny stand-in for seg_and_ocr: the figures go into MODEL's
    sidecar (a copy of the shipped model here), and the shipped one is left alone."""
    import json
    import shutil

    from conftest import write_seg_and_ocr_standin

    from benchmarks._data import read_seg_and_ocr
    from classifier.charnet import SHIPPED_WEIGHTS

    write_seg_and_ocr_standin(tmp_path / "data", 16, seed=5)
    held_out = len(read_seg_and_ocr(tmp_path / "data", part="test"))
    assert held_out > 0
    for suffix in (".onnx", ".keras", ".json"):
        shutil.copy(SHIPPED_WEIGHTS.with_suffix(suffix), tmp_path / f"mine{suffix}")
    shipped_before = SHIPPED_WEIGHTS.with_suffix(".json").read_text()
    assert main([str(tmp_path / "mine.onnx"), "--sets", "held-out crops", "--data",
                 str(tmp_path / "data"), "--record"]) == 0
    assert "recorded in" in capsys.readouterr().out
    figures = json.loads((tmp_path / "mine.json").read_text())["measured"]["real_plates"]
    assert figures["sets"]["held-out crops"]["plates"] == held_out
    # the same network on both sides: no plate is read by one only
    assert figures["against"]["only_this"] == figures["against"]["only_against"] == 0
    assert SHIPPED_WEIGHTS.with_suffix(".json").read_text() == shipped_before
