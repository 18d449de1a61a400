"""The benchmarks' label corrections for the real crops (benchmarks/_data.py)."""

from benchmarks._data import LABEL_CORRECTIONS, read_seg_and_ocr
from platechar.alphabet import ALPHABET


def _fake_root(tmp_path, rows):
    folder = tmp_path / "seg_and_ocr"
    (folder / "usimages").mkdir(parents=True)
    (folder / "groundtruth.csv").write_text("".join(f"{n},us,{t}\n" for n, t in rows))
    return tmp_path


def test_wrong_labels_are_corrected_only_where_the_file_still_has_them(tmp_path):
    root = _fake_root(tmp_path, [("ga1260.png", "BJL833"), ("vt268.png", "00000"),
                                 ("ak399.png", "FGJ235")])
    corrected = {c.image_path.name: c.text for c in read_seg_and_ocr(root)}
    assert corrected == {"ga1260.png": "BJL3833", "vt268.png": "00000", "ak399.png": "FGJ235"}
    raw = {c.image_path.name: c.text for c in read_seg_and_ocr(root, corrected=False)}
    assert raw["ga1260.png"] == "BJL833"


def test_every_correction_changes_a_label_to_a_plate_text():
    for name, (wrong, right) in LABEL_CORRECTIONS.items():
        assert name.endswith(".png") and wrong != right
        assert right and all(ch in ALPHABET for ch in right)
