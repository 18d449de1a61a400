"""Harvesting labelled characters from labelled plate crops."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from platechar.cli import main
from platechar.errors import DatasetError
from platechar.harvest import harvest_characters, read_labels


def drawn_plate(text: str) -> np.ndarray:
    plate = np.full((80, 240, 3), 235, np.uint8)
    cv2.rectangle(plate, (3, 3), (236, 76), (25, 25, 25), 2)
    cv2.putText(plate, text, (18, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (25, 25, 25), 4,
                cv2.LINE_AA)
    return plate


@pytest.fixture
def crops(tmp_path):
    folder = tmp_path / "crops"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), drawn_plate("AB3729"))
    cv2.imwrite(str(folder / "b.png"), drawn_plate("XY12"))
    (folder / "broken.png").write_bytes(b"not an image")
    labels = tmp_path / "labels.csv"
    labels.write_text("filename,region,text\na.png,us,AB3729\nb.png,us,XY123\n"
                      "broken.png,us,ZZ11\nc.png,us,A?1\n")
    return folder, labels


def test_harvest_writes_characters_by_class(crops, tmp_path):
    folder, labels = crops
    report = harvest_characters(folder, labels, tmp_path / "out")
    assert report.plates == 4 and report.used == 1
    assert report.skipped["character count differs from label"] == 1  # XY12 labelled XY123
    assert report.skipped["unreadable image"] == 1
    assert report.skipped["label outside A-Z0-9"] == 1
    assert sorted(report.per_class) == sorted("AB3729")
    written = sorted(p.relative_to(tmp_path / "out").as_posix()
                     for p in (tmp_path / "out").rglob("*.png"))
    assert written == sorted(f"{c}/a_{i}.png" for i, c in enumerate("AB3729"))
    image = cv2.imread(str(tmp_path / "out" / "A" / "a_0.png"), cv2.IMREAD_UNCHANGED)
    assert image.shape == (32, 32) and image.dtype == np.uint8


def test_read_labels_formats_and_errors(tmp_path):
    two = tmp_path / "two.csv"
    two.write_text("x.png,abc123\n")
    assert read_labels(two) == [("x.png", "ABC123")]
    bad = tmp_path / "bad.csv"
    bad.write_text("only-one-column\n")
    with pytest.raises(DatasetError, match="line 1"):
        read_labels(bad)
    with pytest.raises(DatasetError, match="does not exist"):
        read_labels(tmp_path / "missing.csv")


def test_cli_harvest(crops, tmp_path, capsys):
    folder, labels = crops
    assert main(["harvest", str(folder), str(labels), str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    assert "1 of 4 plates used, 6 characters" in out.out
    assert main(["harvest", str(tmp_path / "nowhere"), str(labels), str(tmp_path / "o")]) == 1
    assert "not a folder" in capsys.readouterr().err
