"""benchmarks/cut_endtoend.py: each labelled photo's plate box becomes a crop + CSV row."""

import numpy as np
import pytest

from benchmarks.cut_endtoend import main
from platechar.images import load_image, write_png


def _photos(root, boxes):
    folder = root / "endtoend" / "us"
    folder.mkdir(parents=True)
    for i, (box, text) in enumerate(boxes):
        photo = np.zeros((60, 100, 3), np.uint8)
        photo[:, :, 1] = np.arange(100, dtype=np.uint8)  # columns tell where a crop came from
        write_png(folder / f"car{i}.png", photo)
        (folder / f"car{i}.txt").write_text("\t".join([f"car{i}.png", *map(str, box), text]))
    return root


def test_the_labelled_box_is_cut_and_listed(tmp_path, capsys):
    data = _photos(tmp_path / "data", [((30, 10, 40, 20), "ABC123"),
                                       ((200, 10, 40, 20), "OUT1")])
    assert main([str(tmp_path / "out"), "--data", str(data), "--regions", "us"]) == 0
    crop = load_image(tmp_path / "out" / "us" / "car0.png")
    assert crop.shape == (20, 40, 3)
    assert crop[0, 0, 1] == 30 and crop[0, -1, 1] == 69
    assert (tmp_path / "out" / "us.csv").read_text().splitlines() == [
        "filename,text", "car0.png,ABC123"]
    captured = capsys.readouterr()
    assert "car1.png: its box (200, 10, 40, 20) lies outside the photo; skipped" in captured.err
    assert "1 crops" in captured.out


def test_unknown_regions_and_missing_photos_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "out"), "--regions", "xx", "--data", str(tmp_path)])
    assert "unknown regions ['xx']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path / "out"), "--regions", "eu", "--data", str(tmp_path)])
    assert "no photos at" in capsys.readouterr().err
