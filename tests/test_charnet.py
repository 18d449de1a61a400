"""The character CNN: training on a tiny generated set, export, the ONNX reader, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifier.charnet import ALPHABET, SHIPPED_WEIGHTS, CharClassifier, to_input
from classifier.model_io import ModelFileError, load_keras_model
from platechar.alphabet import ALPHABET as PLATECHAR_ALPHABET

REPO = Path(__file__).resolve().parent.parent


def _write_chars(out: Path, count: int, seed: int) -> Path:
    from platechar.synth.dataset import make_spec
    from platechar.synth.writers import write_chars

    return write_chars(make_spec("chars", seed, fonts="bundled"), out, count)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    return _write_chars(tmp_path_factory.mktemp("chars") / "train", 360, seed=5)


@pytest.fixture(scope="module")
def tiny_run(tiny_dir, tmp_path_factory):
    from classifier.train_chars import train_char_classifier

    runs = tmp_path_factory.mktemp("runs")
    return train_char_classifier([tiny_dir], runs, epochs=3, batch_size=32,
                                 learning_rate=2e-3, filters=(8, 16, 16), dense=32,
                                 test_dirs=[tiny_dir], version="test", verbose=0,
                                 description="360 synthetic characters", workers=1)


@pytest.fixture(scope="module")
def fresh_chars():
    from platechar.synth.dataset import generate_chars

    chars = generate_chars(300, seed=424242, fonts="bundled")
    return (np.stack([c.image for c in chars]),
            np.array([ALPHABET.index(c.label) for c in chars]))


def test_alphabet_and_manifest_name_mirror_platechar():
    from classifier.train_chars import SYNTH_MANIFEST
    from platechar.synth.writers import MANIFEST

    assert ALPHABET == PLATECHAR_ALPHABET
    assert SYNTH_MANIFEST == MANIFEST


def test_tiny_training_writes_a_run_folder_and_learns(tiny_run):
    run = tiny_run.run_dir
    for name in ("config.json", "log.csv", "result.json", "checkpoints/best.keras",
                 "checkpoints/last.keras", "charnet.keras", "charnet.onnx", "charnet.json"):
        assert (run / name).is_file(), name
    assert any((run / "tensorboard").rglob("events.out.tfevents.*"))
    loss = tiny_run.history["loss"]
    assert tiny_run.epochs_run == 3 and loss[-1] < loss[0]
    config = json.loads((run / "config.json").read_text())
    assert config["config"]["epochs"] == 3 and config["data"]["images"] == 360
    assert config["train_images"] + config["val_images"] == 360
    assert len((run / "log.csv").read_text().strip().splitlines()) == 1 + 3
    sidecar = json.loads((run / "charnet.json").read_text())
    assert sidecar["kind"] == "charnet" and sidecar["alphabet"] == ALPHABET
    assert sidecar["input_shape"] == [32, 32, 1] and sidecar["platechar_version"] == "test"
    assert sidecar["validation"]["accuracy"] == pytest.approx(tiny_run.val_accuracy, abs=1e-5)
    assert sidecar["test"]["images"] == 360
    assert sidecar["training_data"]["description"] == "360 synthetic characters"
    (made,) = sidecar["training_data"]["dirs"]  # with the manifest synth wrote beside them
    assert made["synth"]["kind"] == "chars" and made["synth"]["seed"] == 5
    assert made["synth"]["fonts"]["source"] == "bundled"


def test_reloaded_keras_and_onnx_agree(tiny_run, fresh_chars):
    images, _ = fresh_chars
    keras_model = load_keras_model(tiny_run.exported["keras"])
    best = load_keras_model(tiny_run.run_dir / "checkpoints" / "best.keras")
    onnx_probs = CharClassifier(tiny_run.exported["onnx"]).predict(images[:64])
    keras_probs = keras_model.predict(to_input(images[:64]), verbose=0)
    np.testing.assert_allclose(onnx_probs, keras_probs, atol=1e-5)
    # The exported network is the restored best epoch.
    np.testing.assert_allclose(best.predict(to_input(images[:64]), verbose=0), keras_probs,
                               atol=1e-5)


def test_shipped_onnx_equals_shipped_keras(fresh_chars):
    images, _ = fresh_chars
    keras_model = load_keras_model(SHIPPED_WEIGHTS.with_suffix(".keras"))
    clf = CharClassifier()
    for batch in (images[:1], images[:8], images):
        np.testing.assert_allclose(clf.predict(batch),
                                   keras_model.predict(to_input(batch), verbose=0), atol=1e-5)


def test_shipped_weights_read_fresh_synthetic_characters(fresh_chars):
    images, labels = fresh_chars
    clf = CharClassifier()
    probs = clf.predict(images)
    assert probs.shape == (300, 36)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    accuracy = np.mean(probs.argmax(axis=1) == labels)
    assert accuracy >= 0.98, accuracy
    info = json.loads(SHIPPED_WEIGHTS.with_suffix(".json").read_text())
    assert info["test"]["accuracy"] >= 0.98
    # ... and of the characters that no style draws like another (Brazil's old plates
    # draw 1 as I's bar and 0 as O's oval: only their place tells them apart), 98.5%,
    # and 99.5% with O and 0 taken as one (a squeezed O is a squarish 0's shape)
    measured = info["measured"]["synthetic_test"]
    assert measured["accuracy_others"] >= 0.985
    assert measured["accuracy_others_o_and_0_as_one"] >= 0.995


def test_top_k_and_classify():
    clf = CharClassifier()
    probs = np.zeros((2, 36), np.float32)
    probs[0, ALPHABET.index("8")], probs[0, ALPHABET.index("B")] = 0.7, 0.3
    probs[1, 0] = 1.0
    top = clf.top_k(probs, k=2)
    assert top[0] == [("8", pytest.approx(0.7)), ("B", pytest.approx(0.3))]
    assert top[1][0] == ("0", 1.0)
    blank = np.zeros((32, 32), np.uint8)
    assert len(clf.classify(blank, k=3)) == 1 and len(clf.classify(blank, k=3)[0]) == 3
    assert clf.predict(np.zeros((0, 32, 32), np.uint8)).shape == (0, 36)


@pytest.mark.parametrize("bad", [np.zeros((2, 28, 28), np.uint8), np.zeros((2, 32, 32, 3)),
                                 np.full((1, 32, 32), 2.0), np.zeros((1, 32, 32), np.int64),
                                 np.full((1, 32, 32), np.nan)])
def test_bad_character_arrays_are_refused(bad):
    with pytest.raises(ValueError):
        to_input(bad)


def test_inference_does_not_import_tensorflow():
    code = ("import sys, numpy as np\n"
            "from classifier.charnet import CharClassifier\n"
            "p = CharClassifier().predict(np.zeros((8, 32, 32), np.uint8))\n"
            "assert p.shape == (8, 36)\n"
            "bad = [m for m in ('tensorflow', 'keras', 'tf2onnx') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


# --- bad model files -------------------------------------------------------------------


@pytest.fixture()
def model_copy(tmp_path) -> Path:
    for suffix in (".keras", ".onnx", ".json"):
        shutil.copy(SHIPPED_WEIGHTS.with_suffix(suffix), tmp_path / f"charnet{suffix}")
    return tmp_path / "charnet.onnx"


def _edit_sidecar(onnx_path: Path, **changes) -> None:
    json_path = onnx_path.with_suffix(".json")
    info = json.loads(json_path.read_text())
    info.update(changes)
    json_path.write_text(json.dumps(info))


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        CharClassifier(tmp_path / "nothing.onnx")


def test_missing_sidecar(model_copy):
    model_copy.with_suffix(".json").unlink()
    with pytest.raises(ModelFileError, match="sidecar is missing"):
        CharClassifier(model_copy)


def test_damaged_onnx_fails_its_checksum(model_copy):
    data = model_copy.read_bytes()
    model_copy.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="SHA-256"):
        CharClassifier(model_copy)


def test_unloadable_onnx(model_copy):
    model_copy.write_bytes(b"not an onnx file")
    _edit_sidecar(model_copy, files={})
    with pytest.raises(ModelFileError, match="not a loadable ONNX model"):
        CharClassifier(model_copy)


@pytest.mark.parametrize("changes, message", [
    ({"kind": "crnn"}, "expected 'charnet'"),
    ({"alphabet": "0123456789"}, "alphabet"),
    ({"input_shape": [28, 28, 1]}, "expects inputs of shape"),
])
def test_mismatched_sidecar(model_copy, changes, message):
    _edit_sidecar(model_copy, **changes)
    with pytest.raises(ModelFileError, match=message):
        CharClassifier(model_copy)


def test_corrupt_keras_file(model_copy):
    keras_path = model_copy.with_suffix(".keras")
    keras_path.write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(ModelFileError, match="not a loadable Keras model"):
        load_keras_model(keras_path)


# --- the command line ------------------------------------------------------------------


def _cli(args, capsys):
    from platechar.cli import main

    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_train_chars(tiny_dir, tmp_path, capsys):
    status, out, err = _cli(["train", "chars", str(tiny_dir), "--epochs", "1",
                             "--batch-size", "64", "--runs", str(tmp_path / "runs"),
                             "--target-accuracy", "0.999", "--export",
                             str(tmp_path / "model" / "chars"), "--quiet"], capsys)
    assert status == 0, err
    assert "trained 1 epochs" in out and "validation accuracy" in out
    for suffix in (".keras", ".onnx", ".json"):
        assert (tmp_path / "model" / f"chars{suffix}").is_file()
    configs = list((tmp_path / "runs").glob("chars-*/config.json"))
    assert len(configs) == 1
    assert json.loads(configs[0].read_text())["config"]["target_accuracy"] == 0.999


def test_stop_at_accuracy_callback():
    import keras

    from classifier.train_chars import StopAtAccuracy

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    callback = StopAtAccuracy(0.9)
    callback.set_model(model)
    model.stop_training = False
    callback.on_epoch_end(0, {"val_accuracy": 0.89})
    assert not model.stop_training
    callback.on_epoch_end(1, {"val_accuracy": 0.9})
    assert model.stop_training and callback.reached_epoch == 1


def test_cli_fine_tunes_from_a_model(tiny_run, tiny_dir, tmp_path, capsys):
    status, out, err = _cli(["train", "chars", str(tiny_dir), "--epochs", "1",
                             "--init-from", str(tiny_run.exported["keras"]),
                             "--runs", str(tmp_path), "--quiet"], capsys)
    assert status == 0, err
    config = json.loads(next(tmp_path.glob("chars-*/config.json")).read_text())
    assert config["config"]["init_from"] == str(tiny_run.exported["keras"])
    assert config["config"]["learning_rate"] == pytest.approx(3e-4)


def test_cli_repeat_oversamples_a_folder_and_records_the_recipe(tiny_dir, tiny_run, tmp_path,
                                                              capsys):
    import zipfile

    small = _write_chars(tmp_path / "small", 72, seed=6)
    status, out, err = _cli(["train", "chars", str(tiny_dir), str(small),
                             "--repeat", f"{small}/=3", "--epochs", "1",
                             "--batch-size", "64", "--init-from",
                             str(tiny_run.exported["keras"]), "--runs", str(tmp_path / "runs"),
                             "--data-command", "make the data", "--quiet"], capsys)
    assert status == 0, err
    run = next((tmp_path / "runs").glob("chars-*"))
    config = json.loads((run / "config.json").read_text())
    assert [d["repeat"] for d in config["data"]["dirs"]] == [1, 3]
    # The small folder's training batches come 3 times an epoch, the others once;
    # every image is still counted once, and validation is not repeated.
    from classifier.train_chars import TrainConfig, make_generators

    once, val = make_generators([tiny_dir, small], TrainConfig(batch_size=64))
    assert once.repeats == [1, 1] and len(once.flows[1]) > 0
    assert config["train_batches_per_epoch"] == len(once) + 2 * len(once.flows[1])
    assert config["train_images"] == once.samples and config["val_images"] == val.samples
    sidecar = json.loads((run / "charnet.json").read_text())
    assert sidecar["training_data"]["dirs"][1]["repeat"] == 3
    recipe = sidecar["training_recipe"]
    assert recipe[0] == "make the data"
    assert recipe[1].startswith("platechar train chars ") and "--repeat" in recipe[1]
    # A fine-tuned export holds no optimizer state (Keras' clone_model would keep it).
    with zipfile.ZipFile(run / "charnet.keras") as archive:
        assert json.loads(archive.read("config.json")).get("compile_config") in (None, {})


def test_cli_repeat_refuses_a_folder_it_does_not_train_on(tiny_dir, tmp_path, capsys):
    status, _, err = _cli(["train", "chars", str(tiny_dir), "--repeat",
                           f"{tmp_path}=2", "--runs", str(tmp_path / "runs")], capsys)
    assert status == 1 and "not one of the data folders" in err
    for bad in (f"{tiny_dir}=0", f"{tiny_dir}=x", "=3", str(tiny_dir)):
        with pytest.raises(SystemExit):
            _cli(["train", "chars", str(tiny_dir), "--repeat", bad], capsys)
        assert "expected DIR=N" in capsys.readouterr().err


def test_merged_flow_repeats_batches():
    from classifier.train_chars import _merged_flow_class, resolve_repeats

    class Flow:  # the parts of a Keras DirectoryIterator that MergedFlow uses
        def __init__(self, name, batches):
            self.name, self.batches = name, batches
            self.samples = batches * 2
            self.classes = np.zeros(self.samples, int)

        def __len__(self):
            return self.batches

        def __getitem__(self, i):
            return (self.name, i)

        def on_epoch_end(self):
            pass

    merged = _merged_flow_class()([Flow("synth", 5), Flow("real", 2)], shuffle=True, seed=0,
                                  repeats=[1, 4])
    batches = [merged[i] for i in range(len(merged))]
    assert len(merged) == 5 + 2 * 4 and merged.samples == 14
    assert sorted(set(batches)) == [("real", 0), ("real", 1)] + [("synth", i) for i in range(5)]
    assert batches.count(("real", 1)) == 4 and batches.count(("synth", 3)) == 1
    with pytest.raises(ValueError):
        _merged_flow_class()([Flow("a", 1)], shuffle=False, seed=0, repeats=[0])
    assert resolve_repeats(["a/b", "c"], {"a/b/": 3}) == [3, 1]
    assert resolve_repeats(["a", "c"], None) == [1, 1]
    with pytest.raises(ValueError):
        resolve_repeats(["a"], {"a": 0})


def test_folder_validation_counts_each_folder_and_their_mean():
    """A network that always answers class 0: a folder all of 0s is read 100% right, one
    with a quarter 0s 25%; pooled that is 7 of 12 (58%), balanced (100 + 25) / 2."""
    import keras

    from classifier.train_chars import FolderValidation, _merged_flow_class, folder_names

    class Flow:  # one batch of blank characters of the given classes
        def __init__(self, directory, classes):
            self.directory, self.classes = directory, np.array(classes)
            self.samples = len(classes)

        def __len__(self):
            return 1

        def __getitem__(self, i):
            x = np.zeros((self.samples, 32, 32, 1), np.float32)
            return x, np.eye(36, dtype=np.float32)[self.classes]

        def on_epoch_end(self):
            pass

    flows = [Flow("runs/synthetic/chars", [0] * 8), Flow("runs/real/harvest", [0, 5, 6, 7])]
    merged = _merged_flow_class()(flows, shuffle=False, seed=0)
    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(36, kernel_initializer="zeros",
                                                 bias_initializer=keras.initializers.Constant(
                                                     np.eye(36)[0]))])
    callback = FolderValidation(merged, folder_names(flows))
    callback.set_model(model)
    logs = {"val_accuracy": 7 / 12}
    callback.on_epoch_end(0, logs)
    assert logs == pytest.approx({"val_accuracy": 7 / 12, "val_accuracy_chars": 1.0,
                                  "val_accuracy_harvest": 0.25,
                                  "val_balanced_accuracy": 0.625})
    assert folder_names([Flow("a/chars", [0]), Flow("b/chars", [0]),
                         Flow("c/my data", [0])]) == ["chars", "chars-2", "my_data"]


def test_cli_select_by_balanced_logs_each_folder_and_keeps_its_best_epoch(
        tiny_dir, tiny_run, tmp_path, capsys):
    small = _write_chars(tmp_path / "small", 72, seed=6)
    # 72 characters are 2 a class: half of them validate, so that the folder has some.
    status, out, err = _cli(["train", "chars", str(tiny_dir), str(small), "--select-by",
                             "balanced", "--validation-split", "0.5", "--epochs", "2",
                             "--batch-size", "64", "--init-from",
                             str(tiny_run.exported["keras"]), "--runs", str(tmp_path / "runs"),
                             "--quiet"], capsys)
    assert status == 0, err
    assert "validation accuracy per folder: train " in out and "small " in out
    run = next((tmp_path / "runs").glob("chars-*"))
    header = (run / "log.csv").read_text().splitlines()[0].split(",")
    assert {"val_accuracy_train", "val_accuracy_small", "val_balanced_accuracy"} <= set(header)
    result = json.loads((run / "result.json").read_text())
    balanced = result["history"]["val_balanced_accuracy"]
    assert result["best_epoch"] == 1 + int(np.argmax(balanced))
    assert result["val_balanced_accuracy"] == pytest.approx(max(balanced), abs=1e-6)
    assert result["val_balanced_accuracy"] == pytest.approx(
        np.mean(list(result["val_folders"].values())))
    validation = json.loads((run / "charnet.json").read_text())["validation"]
    assert validation["selected_by"] == "balanced"
    assert [f["name"] for f in validation["folders"]] == ["train", "small"]
    assert sum(f["images"] for f in validation["folders"]) == validation["images"]
    with pytest.raises(SystemExit):
        _cli(["train", "chars", str(tiny_dir), "--select-by", "best"], capsys)
    with pytest.raises(ValueError, match="select_by"):
        from classifier.train_chars import TrainConfig
        TrainConfig(select_by="best")


def test_select_by_last_exports_the_last_epoch(tiny_dir, tiny_run, tmp_path, fresh_chars):
    from classifier.train_chars import train_char_classifier

    result = train_char_classifier([tiny_dir], tmp_path, epochs=2, batch_size=64,
                                   init_from=str(tiny_run.exported["keras"]),
                                   learning_rate=3e-4, select_by="last", verbose=0, workers=1)
    assert result.epochs_run == 2 and result.best_epoch == 2
    images, _ = fresh_chars
    exported = load_keras_model(result.exported["keras"])
    last = load_keras_model(result.run_dir / "checkpoints" / "last.keras")
    np.testing.assert_allclose(exported.predict(to_input(images[:32]), verbose=0),
                               last.predict(to_input(images[:32]), verbose=0), atol=1e-6)


def test_cli_bad_data_dir(tmp_path, capsys):
    status, _, err = _cli(["train", "chars", str(tmp_path / "missing")], capsys)
    assert status == 1 and "no such folder" in err and "Traceback" not in err
    (tmp_path / "empty" / "A").mkdir(parents=True)
    status, _, err = _cli(["train", "chars", str(tmp_path / "empty")], capsys)
    assert status == 1 and "no character images" in err
    (tmp_path / "odd" / "a").mkdir(parents=True)
    status, _, err = _cli(["train", "chars", str(tmp_path / "odd")], capsys)
    assert status == 1 and "not classes" in err


def test_cli_bad_init_model(tiny_dir, tmp_path, capsys):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a keras file")
    status, _, err = _cli(["train", "chars", str(tiny_dir), "--init-from", str(broken),
                           "--runs", str(tmp_path / "runs")], capsys)
    assert status == 1 and "not a loadable Keras model" in err
    status, _, err = _cli(["train", "chars", str(tiny_dir), "--init-from",
                           str(tmp_path / "absent.keras")], capsys)
    assert status == 1 and "no such model file" in err


def test_init_from_a_model_of_the_wrong_shape(tmp_path):
    import keras

    from classifier.train_chars import load_init_model

    inputs = keras.Input((32, 32, 1))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    model.save(tmp_path / "ten.keras")
    with pytest.raises(ModelFileError, match="character model takes"):
        load_init_model(tmp_path / "ten.keras")


@pytest.mark.skipif(shutil.which("bash") is None, reason="the recipe is a bash script")
def test_one_command_recipe_trains_a_model_from_nothing(tmp_path):
    """classifier/train_charnet.sh on a tiny stand-in for seg_and_ocr (synthetic US crops
    with their labels) and small counts: every step runs and the model it writes reads."""
    from conftest import write_seg_and_ocr_standin

    data = tmp_path / "data"
    write_seg_and_ocr_standin(data, 14, seed=3)
    work = tmp_path / "work"
    env = {**os.environ, "CHARS": "720", "TEST_CHARS": "144", "EPOCHS": "1",
           "FINE_TUNE_EPOCHS": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(["bash", str(REPO / "classifier" / "train_charnet.sh"), str(data),
                             str(work)], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert f"trained {work}/charnet in" in result.stdout
    harvested = list((work / "harvest").rglob("*.png"))
    assert len(harvested) >= 20  # the train part's characters, cut from the crops
    info = json.loads((work / "charnet.json").read_text())
    assert info["training"]["init_from"].endswith("charnet-synthetic.keras")
    synthetic = json.loads((work / "charnet-synthetic.json").read_text())
    assert synthetic["training"]["config"]["patience"] == 10  # SYNTH_PATIENCE's default
    assert any("train_charnet.sh" in step for step in info["training_recipe"])
    assert {d["dir"].split("/")[-1] for d in info["training_data"]["dirs"]} == {"harvest",
                                                                                 "chars"}
    # The fine-tune keeps its last epoch (a fixed schedule).
    assert info["validation"]["selected_by"] == "last"
    probs = CharClassifier(work / "charnet.onnx").predict(np.zeros((2, 32, 32), np.uint8))
    assert probs.shape == (2, 36) and np.allclose(probs.sum(axis=1), 1, atol=1e-4)
