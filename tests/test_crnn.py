"""The holistic CRNN: decoding, tiny training, ONNX = Keras, the shipped backend, the CLI."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from classifier import crnn
from classifier.crnn_data import (
    DataError,
    LabelledCrops,
    augment_crop,
    list_labelled_crops,
    make_dataset,
    rearrange_characters,
)

REPO = Path(__file__).resolve().parents[1]

# Measured (bench_crnn.py, 1,000 fresh plates): 90-97% per single-line style, 94% for us;
# 40 plates at an 80% bar leave room for a few unlucky ones.
SYNTH_BAR = 0.8



def test_alphabet_is_platechars():
    from platechar.alphabet import ALPHABET

    assert crnn.ALPHABET == ALPHABET
    assert crnn.BLANK == len(ALPHABET)


def _peaky(rng, n, steps=32, classes=37):
    """Random probability matrices whose columns each favour one class (blank often)."""
    logits = rng.normal(0, 1, (n, steps, classes))
    favour = np.where(rng.random((n, steps)) < 0.5, classes - 1,
                      rng.integers(0, classes, (n, steps)))
    np.put_along_axis(logits, favour[..., None], 6.0, axis=2)
    e = np.exp(logits)
    return (e / e.sum(axis=2, keepdims=True)).astype(np.float32)


def test_numpy_greedy_equals_keras_ctc_decode():
    rng = np.random.default_rng(0)
    probs = np.concatenate([_peaky(rng, 40), rng.dirichlet(np.ones(37), (10, 32))
                            .astype(np.float32)])
    ours = [crnn.greedy_decode(p) for p in probs]
    theirs = crnn.keras_decode(probs, strategy="greedy")
    assert ["".join(c.char for c in chars) for chars in ours] == [t[0] for t in theirs]
    assert crnn.greedy_texts(probs) == [t[0] for t in theirs]


def test_numpy_beam_agrees_with_keras_beam_search():
    rng = np.random.default_rng(1)
    probs = _peaky(rng, 20)
    theirs = crnn.keras_decode(probs, strategy="beam_search", beam_width=8)
    for p, t in zip(probs, theirs, strict=True):
        best = crnn.beam_decode(p, beam_width=8, top_paths=3)
        assert best[0][0] == t[0]
        assert best[0][1] >= best[-1][1]


def test_greedy_decode_merges_repeats_and_keeps_columns():
    blank = crnn.BLANK
    path = [blank, 1, 1, blank, 1, 2, 2, 2, blank, blank]  # "1", "1", "2"
    probs = np.full((len(path), 37), 0.01, np.float32)
    for t, c in enumerate(path):
        probs[t, c] = 0.9 if t != 6 else 0.95
    chars = crnn.greedy_decode(probs)
    assert "".join(c.char for c in chars) == "112"
    assert [(c.first, c.last) for c in chars] == [(1, 2), (4, 4), (5, 7)]
    assert chars[2].confidence == pytest.approx(0.95)
    box = crnn.column_box(chars[2], len(path), 100, 40)
    assert box == (50, 0, 30, 40)


# --- tiny training ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One tiny training through the ``train crnn`` sub-command (tracing the training step
    is the slow part, so every training test shares this run)."""
    from platechar.commands.train_crnn import register

    root = tmp_path_factory.mktemp("crnn")
    texts = _write_crops(root / "crops", 6, seed=9)
    parser = argparse.ArgumentParser(prog="platechar train")
    register(parser.add_subparsers(dest="model"))
    run = root / "run"
    args = parser.parse_args(["crnn", "--out", str(run), "--crops", str(root / "crops"),
                              "--synth", "64", "--epochs", "2", "--steps", "3",
                              "--batch-size", "16", "--learning-rate", "3e-3",
                              "--val-synth", "8", "--val-crops", "0.2", "--workers", "1"])
    assert args.model == "crnn" and args.synth == 64
    assert args.func(args) == 0
    return parser, run, texts


def test_tiny_training_writes_a_run_folder_and_loss_falls(tiny_run):
    _, run, _ = tiny_run
    for name in ("config.json", "log.csv", "checkpoints/best.keras", "checkpoints/last.keras",
                 "crnn.keras", "crnn.onnx", "crnn.json"):
        assert (run / name).is_file(), name
    assert any((run / "tensorboard").rglob("events.out.tfevents*"))
    rows = list(csv.DictReader((run / "log.csv").open()))
    assert len(rows) == 2 and "val_seq_acc" in rows[0] and "val_char_acc" in rows[0]
    assert float(rows[1]["loss"]) < float(rows[0]["loss"])
    sidecar = json.loads((run / "crnn.json").read_text())
    assert sidecar["kind"] == "crnn" and sidecar["input_shape"] == [32, 128, 1]
    assert sidecar["trained_on"]["labelled_crops"] == 5
    assert "hershey-simplex" in sidecar["trained_on"]["synthetic_fonts"]
    assert set(sidecar["files"]) == {"crnn.keras", "crnn.onnx"}


def test_reloaded_with_safe_mode_predicts_the_same(tiny_run):
    from classifier.train_crnn import load_crnn

    _, run, _ = tiny_run
    x = np.random.default_rng(0).normal(0, 1, (3, 32, 128, 1)).astype(np.float32)
    shipped = load_crnn(run / "crnn.keras")  # load_keras_model: safe_mode=True
    best = load_crnn(run / "checkpoints" / "best.keras")  # the training view, softmax added
    np.testing.assert_allclose(shipped.prediction.predict(x, verbose=0),
                               best.prediction.predict(x, verbose=0), atol=1e-6)
    assert shipped.config == crnn.CRNNConfig()


def test_onnx_equals_keras(tiny_run):
    from classifier.model_io import OnnxModel
    from classifier.train_crnn import load_crnn

    _, run, _ = tiny_run
    x = np.random.default_rng(1).normal(0, 1, (5, 32, 128, 1)).astype(np.float32)
    keras_out = load_crnn(run / "crnn.keras").prediction.predict(x, verbose=0)
    onnx_out = OnnxModel(run / "crnn.onnx", kind="crnn")(x)
    np.testing.assert_allclose(onnx_out, keras_out, atol=1e-5)


def test_a_fine_tune_records_the_model_it_started_from(tiny_run, tmp_path):
    import hashlib

    from platechar.training.crnn import train_crnn

    _, run, _ = tiny_run
    start = run / "crnn.keras"
    said: list[str] = []
    result = train_crnn(tmp_path / "ft", synth=32, init_from=start, epochs=1, steps=2,
                        batch_size=8, val_synth=4, workers=1, export_onnx=False, verbose=0,
                        crops=[run.parent / "crops"], rearrange=1.0, log=said.append)
    assert Path(result.run_dir) == tmp_path / "ft"
    sidecar = json.loads((tmp_path / "ft" / "crnn.json").read_text())
    assert sidecar["trained_on"]["fine_tuned_from"] == {
        "model": str(start), "sha256": hashlib.sha256(start.read_bytes()).hexdigest()}
    # --rearrange reaches the run: its crops' characters were looked for, and it is recorded
    assert any("with their characters found" in line for line in said)
    assert sidecar["trained_on"]["rearranged"] == 1.0
    assert json.loads((tmp_path / "ft" / "config.json").read_text())["rearrange"] == 1.0


def test_shipped_onnx_equals_shipped_keras():
    from classifier.model_io import OnnxModel
    from classifier.train_crnn import load_crnn

    weights = REPO / "platechar" / "weights"
    x = np.random.default_rng(2).normal(0, 1, (4, 32, 128, 1)).astype(np.float32)
    keras_out = load_crnn(weights / "crnn.keras").prediction.predict(x, verbose=0)
    np.testing.assert_allclose(OnnxModel(weights / "crnn.onnx", kind="crnn")(x), keras_out,
                               atol=1e-5)


# --- the shipped backend --------------------------------------------------------------


@pytest.fixture(scope="module")
def recognizer():
    from platechar.backends.holistic import load

    return load()


def test_holistic_reads_fresh_synthetic_plates(recognizer):
    from platechar.synth import generate_plates

    plates = generate_plates(40, seed=20240, styles="us,eu,br,br_mercosur,dark",
                             augment="default")
    readings = [recognizer.recognize(p.image) for p in plates]
    right = sum(r.text == p.text for r, p in zip(readings, plates, strict=True))
    assert right / len(plates) >= SYNTH_BAR, [(p.text, r.text) for r, p in
                                              zip(readings, plates, strict=True)]
    for reading, plate in zip(readings, plates, strict=True):
        assert reading.backend == "holistic"
        assert "".join(c.text for c in reading.chars) == reading.text
        assert 0.0 <= reading.confidence <= 1.0
        h, w = plate.image.shape[:2]
        for char in reading.chars:
            x, y, bw, bh = char.box
            assert 0 <= x < w and 0 < bw and x + bw <= w and 0 <= y < y + bh <= h
        assert set(reading.timings) == {"preprocess", "network", "decode"}


def test_two_line_plates_are_read_as_both_lines(recognizer):
    from platechar.synth import generate_plates

    plates = generate_plates(40, seed=5, styles="two_line", augment="default",
                             fonts="bundled")
    reads = [recognizer.recognize(p.image).text for p in plates]
    lines = [p.layout.split("|") for p in plates]
    right = sum(r == p.text for r, p in zip(reads, plates, strict=True))
    one_line = sum(r in pair for r, pair in zip(reads, lines, strict=True))
    # Before the halves could overrule a sure whole reading of one line: 33 right, 5
    # read as one of their lines only.
    assert right >= 35, list(zip(reads, [p.text for p in plates], strict=True))
    assert one_line <= 2


def test_crops_cut_tight_are_read_again_with_margins(recognizer):
    from platechar.synth import generate_plates

    plates = generate_plates(240, seed=11, styles="us,eu,br_mercosur,dark", augment="light",
                             fonts="bundled")
    crops = []
    for plate in plates:  # cut at the characters, as tight as some real crops are
        boxes = np.asarray(plate.char_boxes)
        x0, y0 = boxes[:, :2].min(axis=0)
        x1, y1 = (boxes[:, :2] + boxes[:, 2:]).max(axis=0)
        pad = int(0.15 * (y1 - y0))
        crops.append(plate.image[max(0, y0 - pad):y1 + pad, max(0, x0 - 1):x1 + 1])
    once = recognizer.recognize_batch(crops, margin_retry=False)
    again = recognizer.recognize_batch(crops)
    truth = [p.text for p in plates]
    # The retry keeps the surer of the two readings, so it never reads fewer plates and
    # every reading it changed is surer. Measured: 230 of 240 read once, 231 with the
    # retry (the CRNN of 2026-11-24; of the first 120, the one of 2026-11-23 read 114 and
    # 115, and today's changes none of them). On the 155 held-out real crops it is
    # worth 3 plates (143 -> 146; the model of 2026-11-23 140 -> 142).
    read_once = sum(r.text == t for r, t in zip(once, truth, strict=True))
    read_again = sum(r.text == t for r, t in zip(again, truth, strict=True))
    assert read_again >= read_once
    changed = [(a, b) for a, b in zip(once, again, strict=True) if a.text != b.text]
    assert changed, "no tight crop was read again"
    assert all(b.confidence > a.confidence for a, b in changed)
    for reading, crop in zip(again, crops, strict=True):
        h, w = crop.shape[:2]
        assert "".join(c.text for c in reading.chars) == reading.text
        for char in reading.chars:
            x, y, bw, bh = char.box
            assert 0 <= x < w and 0 < bw and x + bw <= w and 0 <= y < y + bh <= h


def test_read_one_line_needs_two_sure_and_different_halves():
    from platechar.backends.holistic import read_one_line
    from platechar.results import PlateReading

    def half(text, confidence=0.99):
        return PlateReading(text, confidence, "holistic")

    assert read_one_line("4439", half("PNT"), half("4439"))
    assert read_one_line("4438", half("PNT"), half("4439"))  # one character off
    assert read_one_line("PNT", half("PNT"), half("4439"))   # the top line only
    assert not read_one_line("7ABC123", half("7ABC123"), half("7ABC123"))  # cut twice
    assert not read_one_line("4439", half("A"), half("4439"))  # a state name's letter
    assert not read_one_line("4439", half("PNT", 0.6), half("4439"))
    assert not read_one_line("ZZ99", half("PNT"), half("4439"))


def test_candidates_are_ranked_texts(recognizer):
    from platechar.synth import generate_plates

    plate = generate_plates(1, seed=7, styles="us", augment="light")[0]
    found = recognizer.candidates(plate.image, top=3)
    assert found[0][0] == recognizer.recognize(plate.image).text
    assert all(a[1] >= b[1] for a, b in zip(found, found[1:], strict=False))


def test_batch_reads_like_single(recognizer):
    from platechar.synth import generate_plates

    plates = generate_plates(4, seed=8, augment="light")
    batch = recognizer.recognize_batch([p.image for p in plates])
    assert [r.text for r in batch] == [recognizer.recognize(p.image).text for p in plates]


def test_corrupt_or_missing_model_is_a_clear_error(tmp_path):
    from platechar.backends.holistic import WEIGHTS, load
    from platechar.errors import ModelError

    bad = tmp_path / "crnn.onnx"
    data = bytearray(WEIGHTS.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64
    bad.write_bytes(bytes(data))
    (tmp_path / "crnn.json").write_text(WEIGHTS.with_suffix(".json").read_text())
    with pytest.raises(ModelError, match="SHA-256"):
        load(bad)
    garbage = tmp_path / "other" / "crnn.onnx"
    garbage.parent.mkdir()
    garbage.write_bytes(b"not a model")
    (garbage.parent / "crnn.json").write_text(json.dumps(
        {"kind": "crnn", "alphabet": crnn.ALPHABET, "input_shape": [32, 128, 1]}))
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        load(garbage)
    with pytest.raises(ModelError, match="no such model file"):
        load(tmp_path / "absent.onnx")
    from classifier.model_io import ModelFileError
    from classifier.train_crnn import load_crnn

    broken = tmp_path / "crnn.keras"
    broken.write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(ModelFileError):
        load_crnn(broken)


def test_reading_path_imports_no_tensorflow():
    code = (
        "import sys, numpy as np\n"
        "from platechar.backends.holistic import load\n"
        "r = load().recognize(np.full((60, 120, 3), 200, np.uint8))\n"
        "assert r.backend == 'holistic'\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'tf2onnx') if m in sys.modules]\n"
        "print(heavy)\n"
        "sys.exit(1 if heavy else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


# --- labelled crops and the command ----------------------------------------------------


def _write_crops(folder: Path, n: int, seed: int) -> list[str]:
    from platechar.synth import generate_plates

    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for i, plate in enumerate(generate_plates(n, seed=seed, styles="us", augment="light")):
        cv2.imwrite(str(folder / f"{plate.text}_{i}.png"), plate.image)
        texts.append(plate.text)
    return texts


def test_labelled_crops_from_names_and_csv(tmp_path):
    texts = _write_crops(tmp_path / "named", 3, seed=5)
    pairs = list_labelled_crops(tmp_path / "named")
    assert sorted(t for _, t in pairs) == sorted(texts)
    csv_file = tmp_path / "labels.csv"
    first = pairs[0][0]
    csv_file.write_text(f"filename,text\nnamed/{first.name},{pairs[0][1].lower()}\n")
    assert list_labelled_crops(csv_file) == [(tmp_path / "named" / first.name, pairs[0][1])]
    csv_file.write_text("a.png,AB#1\n")
    with pytest.raises(DataError, match="outside"):
        list_labelled_crops(csv_file)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no labelled crops"):
        list_labelled_crops(tmp_path / "empty")


def test_augment_crop_keeps_size_and_varies():
    rng = np.random.default_rng(0)
    image = np.random.default_rng(1).integers(0, 255, (70, 150), dtype=np.uint8)
    outs = [augment_crop(image, rng, 32, 128) for _ in range(3)]
    assert all(o.shape == (32, 128) and o.dtype == np.uint8 for o in outs)
    assert not np.array_equal(outs[0], outs[1])


def _blocks(widths, gap=6, height=40):
    """A crop of flat blocks, one per character, each its own gray: (image, boxes)."""
    image = np.full((height, sum(widths) + gap * (len(widths) + 1)), 250, np.uint8)
    boxes, x = [], gap
    for k, w in enumerate(widths):
        image[8:32, x:x + w] = 20 + 30 * k
        boxes.append((x, 8, w, 24))
        x += w + gap
    return image, np.array(boxes)


def test_rearrange_characters_moves_them_among_their_places():
    image, boxes = _blocks([14, 14, 4, 15, 14])
    seen = set()
    for seed in range(20):
        out, text = rearrange_characters(image, boxes, "AB1CD", np.random.default_rng(seed))
        assert sorted(text) == sorted("AB1CD") and text[2] == "1"  # the narrow 1 stays
        assert out.shape == image.shape and out.dtype == np.uint8
        for slot, char in enumerate(text):
            x, y, w, h = boxes[slot]
            source = "AB1CD".index(char)
            assert (out[y:y + h, x:x + w] == 20 + 30 * source).all()  # its own block
        assert (out[:, :boxes[0][0]] == 250).all()  # nothing outside the boxes changes
        seen.add(text)
    assert len(seen) > 5
    assert image[8, 10] == 20  # the input is left alone
    same, text = rearrange_characters(image, boxes[:3], "AB1CD", np.random.default_rng(0))
    assert same is image and text == "AB1CD"  # boxes that do not match the text


def test_rearranged_crops_in_training_batches_keep_their_labels_in_step():
    from classifier.crnn_data import encode_labels

    image, boxes = _blocks([14, 14, 14, 14])
    crops = LabelledCrops([image], ["AB12"], ["blocks.png"], [boxes])
    plain = make_dataset(crops=crops, batch_size=8, steps=1, seed=3)
    assert (plain[0][1] == encode_labels(["AB12"], 10)[0]).all()
    data = make_dataset(crops=crops, batch_size=8, steps=1, seed=3, rearrange=1.0)
    x, y = data[0]
    assert x.shape == (8, 32, 128, 1)
    texts = ["".join(crnn.ALPHABET[i] for i in row if i != crnn.PAD) for row in y]
    assert all(sorted(t) == sorted("AB12") for t in texts)
    assert len(set(texts)) > 1
    rest, held = crops.split(0.0)  # the boxes go with their crops
    assert rest.boxes is not None and rest.boxes[0] is boxes and held.boxes == []


def test_character_boxes_are_found_where_the_segmenter_counts_the_label(tmp_path):
    from platechar.training.crnn import read_crops

    texts = _write_crops(tmp_path / "named", 4, seed=21)
    cv2.imwrite(str(tmp_path / "named" / "AB12_9.png"), np.full((60, 120), 128, np.uint8))
    assert read_crops([tmp_path / "named"]).boxes is None
    crops = read_crops([tmp_path / "named"], with_boxes=True)
    assert len(crops.boxes) == len(texts) + 1
    assert crops.boxes[crops.names.index("AB12_9.png")] is None  # a blank: nothing found
    found = [(b, t, im) for b, t, im in zip(crops.boxes, crops.texts, crops.images, strict=True)
             if b is not None]
    assert len(found) >= 3  # clean single-line synthetic plates segment
    for boxes, text, image in found:
        assert boxes.shape == (len(text), 4)
        assert (boxes[:, 0] + boxes[:, 2] <= image.shape[1]).all()
        assert (boxes[:, 1] + boxes[:, 3] <= image.shape[0]).all()
        assert (np.diff(boxes[:, 0]) > 0).all()  # in reading order


def test_train_crnn_subcommand_refuses_bad_arguments(tiny_run, tmp_path):
    parser, _, _ = tiny_run
    out = tmp_path / "run"
    with pytest.raises(SystemExit):
        parser.parse_args(["crnn", "--out", str(out), "--epochs", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["crnn"])  # --out is required
    bad = parser.parse_args(["crnn", "--out", str(out), "--crops", str(tmp_path / "nope"),
                             "--synth", "0"])
    assert bad.func(bad) == 1
    fraction = parser.parse_args(["crnn", "--out", str(out), "--crop-fraction", "2"])
    assert fraction.func(fraction) == 2
    tight = parser.parse_args(["crnn", "--out", str(out), "--tight-share", "1.5"])
    assert tight.func(tight) == 2
    stacked = parser.parse_args(["crnn", "--out", str(out), "--stacked", "-0.1"])
    assert stacked.func(stacked) == 2
    vanity = parser.parse_args(["crnn", "--out", str(out), "--vanity", "1.1"])
    assert vanity.func(vanity) == 2
    rearrange = parser.parse_args(["crnn", "--out", str(out), "--rearrange", "-1"])
    assert rearrange.func(rearrange) == 2


def test_stacked_gives_only_the_us_plates_a_stacked_pair():
    from platechar.errors import DatasetError
    from platechar.synth.styles import DEFAULT_MIX
    from platechar.training.crnn import with_stacked

    assert with_stacked("us,eu", 0.0) == "us,eu"
    chosen = with_stacked(None, 0.3)
    assert {s.name: s.stacked for s in chosen} == {n: 0.3 if n == "us" else 0.0
                                                  for n in DEFAULT_MIX}
    assert [round(w, 6) for w in chosen.values()] == [round(w, 6) for w in DEFAULT_MIX.values()]
    with pytest.raises(DatasetError, match="stacked"):
        with_stacked(None, 1.5)


def test_vanity_draws_a_share_of_the_us_plates_as_words_of_letters():
    from platechar.errors import DatasetError
    from platechar.synth import generate_plates
    from platechar.synth.styles import DEFAULT_MIX
    from platechar.training.crnn import VANITY_FORMATS, with_stacked, with_vanity

    assert with_vanity("us,eu", 0.0) == "us,eu"
    mix = with_vanity(None, 0.4)
    vanity = [s for s in mix if s.formats == VANITY_FORMATS]
    assert [s.name for s in vanity] == ["us"]
    weights = {(s.name, s.formats == VANITY_FORMATS): w for s, w in mix.items()}
    assert weights[("us", True)] == pytest.approx(DEFAULT_MIX["us"] * 0.4)
    assert weights[("us", False)] == pytest.approx(DEFAULT_MIX["us"] * 0.6)
    assert weights[("eu", False)] == pytest.approx(DEFAULT_MIX["eu"])
    # both US halves get the stacked pair when asked for it
    assert {s.stacked for s in with_stacked(mix, 0.3) if s.name == "us"} == {0.3}
    plates = generate_plates(12, seed=4, styles=with_vanity("us", 1.0), augment="none",
                             workers=1)
    for plate in plates:  # words of letters with at most one digit, O written as 0
        assert sum(c.isdigit() for c in plate.text) <= 1 and len(plate.text) >= 4
        assert "O" not in plate.text
    with pytest.raises(DatasetError, match="vanity"):
        with_vanity(None, -0.5)


def test_tight_share_cuts_synthetic_crops_at_their_characters():
    from platechar.errors import DatasetError
    from platechar.synth import generate_plates
    from platechar.training.crnn import POOL_AUGMENT, pool_mix

    assert pool_mix(0.0) == POOL_AUGMENT
    mix = pool_mix(0.25)
    assert sum(share for _, share in mix) == pytest.approx(1.0) and mix[-1][1] == 0.25
    with pytest.raises(DatasetError):
        pool_mix(1.5)

    def side_room(augment):
        """The mean share of a crop's width left of its first and right of its last
        character."""
        plates = generate_plates(30, seed=4, augment=augment, fonts="bundled",
                                 size=(128, 64), styles="us,eu")
        return np.mean([(b[0][0] + 128 - b[-1][0] - b[-1][2]) / 128
                        for b in (np.asarray(p.char_boxes) for p in plates)])

    assert side_room(mix[-1][0]) < 0.6 * side_room("default")  # measured: 0.12 vs 0.25


@pytest.mark.skipif(__import__("shutil").which("bash") is None,
                    reason="the recipe is a bash script")
def test_one_command_recipe_runs_the_six_phases(tmp_path):
    """classifier/train_crnn.sh on a tiny stand-in for seg_and_ocr (synthetic US crops with
    their labels) and tiny phases: each phase starts from the one before, the last is
    exported and copied out, and its sidecar names the command."""
    import os

    from conftest import write_seg_and_ocr_standin

    data = tmp_path / "data"
    images = write_seg_and_ocr_standin(data, 12, seed=3)
    work, out = tmp_path / "work", tmp_path / "out"
    env = {**os.environ, "PHASE_EPOCHS": "1 1 1 1 1 1", "STEPS": "2", "BATCH_SIZE": "8",
           "SYNTH": "24", "FINE_TUNE_SYNTH": "24", "VAL_SYNTH": "8",
           "TF_CPP_MIN_LOG_LEVEL": "2",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    script = str(REPO / "classifier" / "train_crnn.sh")
    result = subprocess.run(["bash", script, str(data), str(work), str(out)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert f"trained {work}/phase6/crnn in" in result.stdout
    for n in range(2, 7):  # each phase fine-tunes the one before
        info = json.loads((work / f"phase{n}" / "crnn.json").read_text())
        assert info["trained_on"]["fine_tuned_from"]["model"].endswith(f"phase{n - 1}/crnn.keras")
    first = json.loads((work / "phase1" / "crnn.json").read_text())
    assert first["trained_on"]["fine_tuned_from"] is None
    assert first["trained_on"]["two_line_plates"] == "whole"
    last = json.loads((out / "crnn.json").read_text())
    assert last["trained_on"]["stacked"] == 0.3 and last["trained_on"]["tight_share"] == 0.25
    assert last["trained_on"]["vanity"] == 0.3
    assert last["training_recipe"].startswith(f"bash classifier/train_crnn.sh {data} {work}")
    from platechar.backends.holistic import load

    reading = load(out / "crnn.onnx").recognize(cv2.imread(str(images / "p0.png")))
    assert isinstance(reading.text, str)
    # RESUME=1 keeps the finished phases and redoes only the missing ones
    (work / "phase6" / "crnn.json").unlink()
    phase5 = (work / "phase5" / "crnn.keras").stat().st_mtime_ns
    again = subprocess.run(["bash", script, str(data), str(work)], cwd=REPO,
                           env={**env, "RESUME": "1"}, capture_output=True, text=True,
                           timeout=900)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert "phase 5 kept from before" in again.stdout and "phase 6 done in" in again.stdout
    assert (work / "phase5" / "crnn.keras").stat().st_mtime_ns == phase5
    assert (work / "phase6" / "crnn.json").is_file()
    # a wrong PHASE_EPOCHS is one clear line, before anything is trained
    bad = subprocess.run(["bash", script, str(data), str(tmp_path / "w2")], cwd=REPO,
                         env={**env, "PHASE_EPOCHS": "1 1"}, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "six numbers" in bad.stderr
    assert not (tmp_path / "w2").exists()
