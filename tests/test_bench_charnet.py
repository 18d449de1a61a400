"""benchmarks/bench_charnet.py --chars: a folder of real characters is read as it lies."""

import numpy as np
import pytest

from benchmarks.bench_charnet import main, read_char_folder
from platechar.images import write_png


def _char_folder(tmp_path, sizes):
    for i, (label, size) in enumerate(sizes):
        folder = tmp_path / label
        folder.mkdir(exist_ok=True)
        image = np.zeros((size, size), np.uint8)
        image[4:-4, 10 + i % 5:14 + i % 5] = 255
        write_png(folder / f"plate{i}_0.png", image)
    return tmp_path


def test_folder_gives_images_and_their_class_indices(tmp_path):
    images, labels = read_char_folder(_char_folder(tmp_path, [("1", 32), ("A", 32), ("1", 32)]))
    assert images.shape == (3, 32, 32) and images.dtype == np.uint8
    assert labels.tolist() == [1, 1, 10]  # sorted by folder: 1, 1, A
    assert images.max() == 255


def test_a_character_of_another_size_is_refused_not_resized(tmp_path):
    with pytest.raises(SystemExit, match=r"24x24 pixels; the model reads 32x32"):
        read_char_folder(_char_folder(tmp_path, [("1", 32), ("B", 24)]))


def test_accuracy_is_printed_for_the_folder(tmp_path, capsys):
    assert main(["--chars", str(_char_folder(tmp_path, [("1", 32)] * 4)), "--no-keras"]) == 0
    out = capsys.readouterr().out
    assert "4 characters from" in out
    assert "of 4)" in out  # "accuracy ...% (k wrong of 4)"


def test_a_folder_that_is_not_one_folder_per_class_is_refused(tmp_path):
    (tmp_path / "ab").mkdir()
    with pytest.raises(SystemExit, match="--chars: .*folders ab are not classes"):
        read_char_folder(tmp_path)


def test_record_writes_the_synthetic_figures_into_the_sidecar(tmp_path):
    import json

    from benchmarks.bench_charnet import record_synthetic
    from classifier.charnet import ALPHABET

    sidecar = tmp_path / "charnet.json"
    sidecar.write_text(json.dumps({"kind": "charnet"}))
    zero, letter_o, one, i = (ALPHABET.index(c) for c in "0O1I")
    labels = np.array([zero, zero, letter_o, one, i, one])
    pred = np.array([zero, letter_o, letter_o, i, i, one])  # a 0 read O, a twin 1 read I
    alike = np.array([False, False, False, True, True, False])
    record_synthetic(tmp_path / "charnet.onnx", 2, pred, labels, alike)
    figures = json.loads(sidecar.read_text())["measured"]["synthetic_test"]
    assert figures["characters"] == 6 and figures["seed"] == 2
    assert figures["accuracy"] == round(4 / 6, 4)
    assert figures["o_0_confusions"] == 1
    assert figures["accuracy_o_and_0_as_one"] == round(5 / 6, 4)
    assert figures["drawn_alike_characters"] == 2 and figures["drawn_alike_accuracy"] == 0.5
    assert figures["accuracy_others"] == 0.75 and figures["accuracy_others_o_and_0_as_one"] == 1.0


def test_record_goes_with_the_synthetic_test_only(tmp_path):
    with pytest.raises(SystemExit):
        main(["--chars", str(_char_folder(tmp_path, [("1", 32)])), "--record"])
