"""Reading, evaluating and comparing with a model of one's own (``model=``, ``--model``)
instead of the shipped one: the path reaches the backend, a wrong or missing file is one
clear error, and the results say which model read."""

import json
import shutil

import numpy as np
import pytest

import platechar
from platechar import reader as reader_module
from platechar.cli import main
from platechar.evaluation import compare, evaluate

WEIGHTS = reader_module.Path(platechar.__file__).parent / "weights"


@pytest.fixture
def own_charnet(tmp_path):
    """A copy of the shipped character CNN under another name, as a training run exports."""
    for suffix in (".onnx", ".keras", ".json"):
        shutil.copy(WEIGHTS / f"charnet{suffix}", tmp_path / f"charnet{suffix}")
    return tmp_path / "charnet.onnx"


def test_the_model_path_reaches_the_backends_loader(monkeypatch, tmp_path):
    opened = []

    class Recognizer:
        def recognize(self, crop):
            return platechar.PlateReading("AB12", 0.9, "segmented")

    def loader(path=None):
        opened.append(path)
        return Recognizer()

    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": loader})
    platechar.Reader().recognize(np.full((40, 120, 3), 200, np.uint8))
    platechar.Reader(model=tmp_path / "mine.keras").recognize(np.full((40, 120, 3), 200, np.uint8))
    # the shipped model is opened with no argument; an export's .keras means its .onnx
    assert opened == [None, tmp_path / "mine.onnx"]


def test_reader_reads_with_its_own_model(own_charnet):
    reader = platechar.Reader("segmented", model=own_charnet.with_suffix(".json")).load_model()
    assert reader.model == own_charnet
    assert reader._recognizer.classifier.path == own_charnet
    assert f"model='{own_charnet}'" in repr(reader)
    scene = "sample_images/scenes/scene_0000000.jpg"
    assert reader.read(scene)[0].text == platechar.read(scene)[0].text


def test_module_functions_keep_one_reader_per_model(monkeypatch, own_charnet):
    monkeypatch.setattr(reader_module, "_default_readers", {})
    crop = np.full((40, 120, 3), 200, np.uint8)
    platechar.recognize(crop)
    platechar.recognize(crop, model=own_charnet)
    platechar.recognize(crop, model=str(own_charnet))  # the same file: the same reader
    models = sorted(str(r.model) for r in reader_module._default_readers.values())
    assert models == sorted(["None", str(own_charnet)])


@pytest.mark.parametrize("backend, model, message", [
    ("segmented", WEIGHTS / "crnn.onnx", "a 'crnn' model, expected 'charnet'"),
    ("holistic", WEIGHTS / "charnet.onnx", "a 'charnet' model, expected 'crnn'"),
    ("segmented", "no/such/charnet.onnx", "no such model file"),
])
def test_a_model_of_the_wrong_kind_or_missing_is_a_model_error(backend, model, message):
    reader = platechar.Reader(backend, model=model)  # nothing is opened yet
    with pytest.raises(platechar.ModelError, match=message):
        reader.load_model()


def test_a_run_folder_with_one_model_means_that_model(own_charnet, tmp_path):
    assert platechar.Reader(model=own_charnet.parent).model == own_charnet
    (tmp_path / "empty").mkdir()
    with pytest.raises(platechar.PlatecharError, match="a folder with 0 .onnx files"):
        platechar.Reader(model=tmp_path / "empty")


@pytest.mark.parametrize("model", ["", "  ", 3, b"charnet.onnx"])
def test_a_model_that_is_not_a_path_is_refused_at_once(model):
    with pytest.raises(platechar.PlatecharError, match="model must be the path"):
        platechar.Reader(model=model)


def test_evaluation_records_the_model_it_read_with(own_charnet):
    data = platechar.open_dataset(synthetic=4, seed=3)
    result = evaluate(data, model=own_charnet, progress=False)
    assert result.model == str(own_charnet)
    assert result.to_dict()["model"] == str(own_charnet)
    assert evaluate(data, progress=False).model is None
    with pytest.raises(platechar.PlatecharError, match="'holistic', which is not among"):
        compare(data, ["segmented"], models={"holistic": own_charnet})


def test_cli_read_with_a_missing_model_is_one_error(capsys, tmp_path):
    status = main(["read", "sample_images/scenes/scene_0000000.jpg",
                   "sample_images/synth_sheet.jpg", "--model", str(tmp_path / "charnet.onnx")])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    assert captured.err.count("no such model file") == 1


def test_cli_evaluate_and_compare_say_which_model_read(capsys, own_charnet):
    assert main(["evaluate", "--synthetic", "3", "--no-progress", "--model",
                 str(own_charnet)]) == 0
    out = capsys.readouterr().out
    assert f"segmented reads with the model {own_charnet}" in out
    assert f"--model {own_charnet}" in out  # in the command that reproduces the table
    assert main(["compare", "--synthetic", "3", "--no-progress", "--json", "--model",
                 f"segmented={own_charnet}"]) == 0
    backends = json.loads(capsys.readouterr().out)["backends"]
    assert backends["segmented"]["model"] == str(own_charnet)
    assert backends["holistic"]["model"] is None


@pytest.mark.parametrize("spec, message", [
    ("charnet.onnx", "expected BACKEND=PATH"),
    ("segmented=", "expected BACKEND=PATH"),
])
def test_cli_compare_refuses_a_malformed_model_option(capsys, spec, message):
    assert main(["compare", "--synthetic", "2", "--model", spec]) == 1
    assert message in capsys.readouterr().err


def test_compare_puts_models_of_one_backend_side_by_side(monkeypatch, tmp_path):
    from platechar.backends import segmented

    class Blind:  # a "model" that never reads anything
        def recognize(self, crop):
            return platechar.PlateReading("", 0.0, "segmented")

    opened = []

    def loader(path=None):
        opened.append(path)
        return segmented.load() if path is None else Blind()

    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": loader})
    data = platechar.open_dataset(synthetic=6, seed=3)
    blind = tmp_path / "blind.onnx"
    result = compare(data, ["segmented"], models={"segmented": ["shipped", blind]},
                     progress=False)
    assert list(result.evaluations) == ["segmented:shipped", "segmented:blind"]
    assert opened == [None, blind]
    shipped = result.evaluations["segmented:shipped"]
    assert shipped.model is None and result.evaluations["segmented:blind"].model == str(blind)
    read = sum(o.correct for o in shipped.outcomes)
    assert read > 0
    (pair,) = result.paired()
    assert (pair["a"], pair["b"]) == ("segmented:shipped", "segmented:blind")
    assert (pair["only_a"], pair["only_b"], pair["plates"]) == (read, 0, 6)


def test_models_with_one_stem_are_named_by_their_paths(tmp_path):
    from platechar.evaluation import _model_columns

    a, b = tmp_path / "a" / "charnet.onnx", tmp_path / "b" / "charnet.onnx"
    assert _model_columns("segmented", [a, b]) == [
        (f"segmented:{a}", "segmented", a), (f"segmented:{b}", "segmented", b)]
    assert _model_columns("segmented", [a]) == [("segmented", "segmented", a)]
    assert _model_columns("segmented", "shipped") == [("segmented", "segmented", None)]


def test_a_missing_model_in_the_last_column_fails_before_any_plate_is_read(monkeypatch,
                                                                           tmp_path):
    read = []
    monkeypatch.setattr(platechar.Reader, "read", lambda self, image: read.append(1) or [])
    monkeypatch.setattr(platechar.Reader, "recognize",
                        lambda self, crop: read.append(1) or platechar.PlateReading(
                            "", 0.0, "segmented"))
    data = platechar.open_dataset(synthetic=2, seed=3)
    with pytest.raises(platechar.PlatecharError, match="no such model file"):
        compare(data, ["segmented", "holistic"],
                models={"holistic": tmp_path / "crnn.onnx"}, progress=False)
    assert read == []


@pytest.mark.parametrize("models, message", [
    (["shipped", None], "the same model was given twice"),
    (["x.onnx", "x.onnx"], "the same model was given twice"),
    ([], "an empty list of models"),
    (["shipped", 3], "model must be the path of a model file, got 3"),
    (3, "must be a path or a list of paths, got 3"),
    (b"x.onnx", "must be a path or a list of paths"),
])
def test_compare_refuses_a_bad_list_of_models(models, message):
    data = platechar.open_dataset(synthetic=2, seed=3)
    with pytest.raises(platechar.PlatecharError, match=message):
        compare(data, ["segmented"], models={"segmented": models})


def test_cli_compare_takes_several_models_of_one_backend(capsys, own_charnet):
    assert main(["compare", "--synthetic", "3", "--no-progress", "--backends", "segmented",
                 "--model", "segmented=shipped", "--model", f"segmented={own_charnet}"]) == 0
    out = capsys.readouterr().out
    assert "segmented:shipped vs segmented:charnet on the same 3 plates" in out
    assert f"segmented:charnet reads with the model {own_charnet}" in out
    assert main(["compare", "--synthetic", "2", "--no-progress", "--model",
                 "segmented=a.onnx", "--model", "segmented=a.onnx"]) == 1
    assert "the same model was given twice for 'segmented'" in capsys.readouterr().err


def test_demo_shows_the_reading_of_ones_own_model(own_charnet):
    from platechar.demo import demo_sections

    scene = "sample_images/scenes/scene_0000000.jpg"
    sections = demo_sections(scene, backend="segmented", models={"segmented": str(own_charnet)})
    assert f"Read with the model {own_charnet}" in sections[-1].intro
    shipped = demo_sections(scene, backend="segmented")
    assert "Read with the model" not in shipped[-1].intro
    assert sections[-1].summary == shipped[-1].summary  # the same weights read the same
    with pytest.raises(platechar.PlatecharError, match="'holistic', whose reading is not"):
        demo_sections(scene, backend="segmented", models={"holistic": str(own_charnet)})


def test_cli_demo_model_needs_one_backend_and_its_kind(capsys, tmp_path):
    scene = "sample_images/scenes/scene_0000000.jpg"
    out = str(tmp_path / "demo.html")
    with pytest.raises(SystemExit):
        main(["demo", scene, "--out", out, "--model", str(WEIGHTS / "crnn.onnx")])
    assert "--model needs --backend segmented or --backend holistic" in capsys.readouterr().err
    assert main(["demo", scene, "--out", out, "--backend", "holistic", "--model",
                 str(WEIGHTS / "charnet.onnx")]) == 1
    assert "a 'charnet' model, expected 'crnn'" in capsys.readouterr().err


def test_shipped_names_the_shipped_model_wherever_a_model_path_goes():
    assert platechar.Reader(model="shipped").model is None
    assert platechar.Reader("holistic", model="shipped").model is None
    data = platechar.open_dataset(synthetic=2, seed=3)
    assert evaluate(data, model="shipped", progress=False).model is None
