"""The teaching demo: figures for every stage, the HTML page and tall PNG, training curves,
and ``platechar demo``. Images come from the repository's sample_images/ and the tests'
own drawings; run folders are written here."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from platechar import demo
from platechar.cli import main
from platechar.errors import ImageError, PlatecharError

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENE = REPO_ROOT / "sample_images" / "scenes" / "scene_0000000.jpg"  # 2 candidates
CROP = REPO_ROOT / "sample_images" / "crops" / "crop_0000000.png"

DETECTION = ["input", "grayscale", "edges_and_morphology", "candidates", "chosen_plate"]
SEGMENTED = ["binarisations", "character_boxes", "character_classes", "segmented_text"]
HOLISTIC = ["network_input", "ctc_probabilities", "greedy_decoding", "holistic_text"]


def texts(figure) -> str:
    """Every title in a figure (its suptitle, supxlabel, axes titles and labels), joined."""
    parts = [t.get_text() for t in (figure._suptitle, figure._supxlabel) if t is not None]
    for ax in figure.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in (*ax.texts, *ax.get_yticklabels())]
    return " | ".join(parts)


@pytest.fixture(scope="module")
def scene_sections():
    """The demo of a sample scene, following its second candidate (the real plate)."""
    return demo.demo_sections(SCENE, candidate=2)


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory) -> Path:
    """A run folder as 'platechar train chars' leaves it: log.csv from Keras' CSVLogger."""
    run = tmp_path_factory.mktemp("runs") / "chars-test"
    run.mkdir()
    rows = ["epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"]
    for epoch in range(6):
        rate = 1e-3 if epoch < 4 else 3e-4
        rows.append(f"{epoch},{0.5 + 0.08 * epoch},{rate},{2.0 / (epoch + 1)},"
                    f"{0.6 + 0.07 * epoch - (0.1 if epoch == 5 else 0)},{1.5 / (epoch + 1)}")
    (run / "log.csv").write_text("\n".join(rows) + "\n")
    return run


# --- figures --------------------------------------------------------------------------


def test_sections_hold_every_stage_in_order(scene_sections):
    titles = [section.title for section in scene_sections]
    assert titles[0] == "Finding the plate"
    assert titles[1].startswith("Segmented") and titles[2].startswith("Holistic")
    assert list(scene_sections[0].figures) == DETECTION
    assert list(scene_sections[1].figures) == SEGMENTED
    assert list(scene_sections[2].figures) == HOLISTIC
    assert "following #2" in scene_sections[0].summary
    assert "read 'UAV" in scene_sections[2].summary
    for section in scene_sections:
        for name in section.figures:
            assert name in demo.STAGE_NOTES  # every figure has its explanation


def test_figures_are_titled_and_labelled(scene_sections):
    detection, segmented, holistic = (s.figures for s in scene_sections)
    assert "640 x 480" in texts(detection["input"])
    assert "x (pixels)" in texts(detection["input"])
    assert "gray level" in texts(detection["grayscale"])
    assert "Sobel" in texts(detection["edges_and_morphology"])
    candidates = texts(detection["candidates"])
    assert "#1" in candidates and "#2" in candidates and "score" in candidates
    assert "perspective" in texts(detection["chosen_plate"])
    binarisations = texts(segmented["binarisations"])
    assert "chosen" in binarisations and "otsu" in binarisations and "local" in binarisations
    boxes = texts(segmented["character_boxes"])
    assert "kept" in boxes and "rejected" in boxes
    assert "top 3 classes" in texts(segmented["character_classes"])
    assert "probability" in texts(segmented["character_classes"])
    assert "confidence" in texts(segmented["segmented_text"])
    ctc = holistic["ctc_probabilities"]
    assert "time step" in texts(ctc) and "probability" in texts(ctc)
    class_axis = [ax for ax in ctc.axes if ax.get_ylabel().startswith("class")][0]
    labels = [t.get_text() for t in class_axis.get_yticklabels()]
    assert len(labels) == 37 and labels[0] == "0" and labels[-1] == "blank"
    greedy = texts(holistic["greedy_decoding"])
    assert "merge repeats" in greedy and "drop blanks" in greedy
    assert "beam search" in texts(holistic["holistic_text"])


def test_figures_have_sensible_sizes(scene_sections):
    for section in scene_sections:
        for name, figure in section.figures.items():
            width, height = figure.get_size_inches()
            assert 6 <= width <= 16 and 2 <= height <= 12, (name, width, height)


def test_public_builders_and_a_crop(scene_sections):
    figures = demo.holistic_figures(CROP, crop=True)
    assert list(figures) == ["input", *HOLISTIC]
    assert "plate crop" in texts(figures["input"])
    trace = demo.trace_plate(CROP, crop=True)
    segmented = demo.segmented_figures(trace)  # a trace is reused, not detected again
    assert list(segmented) == ["input", *SEGMENTED]


def test_no_plate_found_still_shows_detection():
    flat = np.full((240, 320, 3), 128, np.uint8)
    sections = demo.demo_sections(flat)
    assert list(sections[0].figures) == DETECTION[:4]
    assert sections[0].summary == "No plate was found in this image."
    assert "No plate found" in texts(sections[0].figures["candidates"])
    for section, name in zip(sections[1:], ("segmented_text", "holistic_text"), strict=True):
        assert list(section.figures) == [name]
        assert "--crop" in texts(section.figures[name])


def test_a_crop_read_as_a_photo_gets_the_crop_hint():
    from platechar.teaching.detection import detection_section, looks_like_a_crop

    section = detection_section(demo.trace_plate(CROP))
    assert "looks like a plate crop already" in section.summary and "--crop" in section.summary
    assert not looks_like_a_crop(np.zeros((480, 640, 3), np.uint8))


def test_two_line_plate_is_shown_as_two_lines():
    from platechar import synth

    plate = synth.generate_plates(1, seed=3, styles="two_line", fonts="bundled")[0]
    figures = demo.holistic_figures(plate.image, crop=True)
    assert "two_lines" in figures
    assert "top line" in texts(figures["two_lines"])


def test_collapse_steps_matches_the_decoder():
    from classifier.crnn import ALPHABET, BLANK, greedy_texts

    assert demo.collapse_steps(list("--AA-A-BB")) == (
        [("-", 0, 1), ("A", 2, 3), ("-", 4, 4), ("A", 5, 5), ("-", 6, 6), ("B", 7, 8)], "AAB")
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(37, 0.3), size=(20, 16))
    for p, expected in zip(probs, greedy_texts(probs), strict=True):
        best = ["-" if i == BLANK else ALPHABET[i] for i in p.argmax(axis=1)]
        assert demo.collapse_steps(best)[1] == expected


def test_bad_inputs_are_platechar_errors(tmp_path):
    with pytest.raises(ImageError):
        demo.segmented_figures(tmp_path / "missing.jpg")
    with pytest.raises(PlatecharError, match="only 2 plate candidates"):
        demo.trace_plate(SCENE, candidate=3)
    with pytest.raises(PlatecharError, match="rank"):
        demo.trace_plate(SCENE, candidate=0)
    with pytest.raises(PlatecharError, match="unknown backend"):
        demo.demo_sections(SCENE, backend="ocr")


# --- training curves --------------------------------------------------------------------


def test_training_curves_from_a_run_folder(csv_run):
    figure = demo.training_curves(csv_run)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["Loss (lower is better)", "Accuracy (higher is better)", "Learning rate"]
    assert "chars-test" in figure._suptitle.get_text() and "6 epochs" in figure._suptitle.get_text()
    legend = texts(figure) + " ".join(t.get_text() for ax in figure.axes
                                      for t in ax.get_legend().get_texts())
    assert "validation accuracy" in legend and "best validation epoch (5)" in legend
    assert all(ax.get_xlabel() == "epoch" for ax in figure.axes)
    # the CSV itself works too; a CRNN log's columns have their own names
    crnn = csv_run.parent / "crnn"
    crnn.mkdir()
    (crnn / "log.csv").write_text("epoch,loss,val_char_acc,val_loss,val_seq_acc\n"
                                  "0,24.5,0.0,24.5,0.0\n1,8.6,0.64,8.7,0.23\n")
    figure = demo.training_curves(crnn / "log.csv")
    assert len(figure.axes) == 2
    legend = figure.axes[1].get_legend().get_texts()
    assert "plate accuracy" in " ".join(t.get_text() for t in legend)


@pytest.mark.parametrize("content, message", [
    (None, "has no log.csv"),
    ("", "no epochs"),
    ("epoch,loss\n", "no epochs"),
    ("step,loss\n0,1.0\n", "no 'epoch' column"),
    ("epoch,note\n0,hello\n", "no loss or accuracy"),
])
def test_training_curves_refuse_a_bad_run_folder(tmp_path, content, message):
    if content is not None:
        (tmp_path / "log.csv").write_text(content)
    with pytest.raises(PlatecharError, match=message):
        demo.training_curves(tmp_path)


def test_training_curves_of_a_missing_folder(tmp_path):
    with pytest.raises(PlatecharError, match="does not exist"):
        demo.training_curves(tmp_path / "nope")


# --- writing ----------------------------------------------------------------------------


def test_html_page_is_self_contained(scene_sections, tmp_path):
    out = demo.write_sections(scene_sections, tmp_path / "page" / "demo.html", title="t")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == sum(len(s.figures) for s in scene_sections)
    assert base64.b64decode(images[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing fetched from elsewhere
    assert "<script" not in page
    for section in scene_sections:
        assert f"<h2>{section.title}</h2>" in page
    heading, explanation = demo.STAGE_NOTES["ctc_probabilities"]
    assert f"<h3>{heading}</h3>" in page and explanation in page


def test_tall_png_stacks_every_figure(scene_sections, tmp_path):
    sections = scene_sections[:1]
    out = demo.write_sections(sections, tmp_path / "demo.png")
    image = cv2.imread(str(out))
    assert image.shape[1] == int(demo.WIDTH * demo.DPI)
    heights = sum(int(round(figure.get_size_inches()[1] * demo.DPI))
                  for figure in sections[0].figures.values())
    assert image.shape[0] > heights


@pytest.mark.parametrize("name, message", [
    ("demo.pdf", "must end in .html"),
    ("demo", "must end in .html"),
])
def test_output_names_are_checked_first(tmp_path, name, message):
    with pytest.raises(PlatecharError, match=message):
        demo.write_demo(tmp_path / "missing.jpg", tmp_path / name)  # before the image


def test_unwritable_output(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(PlatecharError, match="not a writable folder"):
        demo.check_output_path(blocker / "demo.html")
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(PlatecharError, match="is a folder"):
        demo.check_output_path(tmp_path / "folder.html")


def test_write_figures_and_training_only_demo(csv_run, tmp_path):
    out = demo.write_figures({"training_curves": demo.training_curves(csv_run)},
                             tmp_path / "curves.png")
    assert cv2.imread(str(out)) is not None
    page = demo.write_demo(None, tmp_path / "curves.html", training_run=csv_run).read_text()
    assert "<h2>Training</h2>" in page and page.count("data:image/png;base64,") == 1
    with pytest.raises(PlatecharError, match="nothing to show"):
        demo.write_demo(None, tmp_path / "x.html")


# --- the command line -------------------------------------------------------------------


def test_cli_writes_a_page_for_a_crop(tmp_path, capsys):
    out = tmp_path / "crop.html"
    assert main(["demo", str(CROP), "--crop", "--backend", "segmented", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert f"wrote {out} (5 figures)" in stdout and "segmented reader read" in stdout
    page = out.read_text()
    assert "Segmented reading" in page and "Holistic reading" not in page


def test_cli_training_curves_alone(csv_run, tmp_path, capsys):
    out = tmp_path / "curves.png"
    assert main(["demo", "--training-curves", str(csv_run), "--out", str(out)]) == 0
    assert "(1 figures)" in capsys.readouterr().out and out.is_file()


@pytest.mark.parametrize("args, message", [
    (["missing.jpg"], "missing.jpg"),
    ([str(CROP), "--crop", "--out", "x.gif"], "must end in .html"),
    (["--training-curves", "no-such-run"], "does not exist"),
    ([str(SCENE), "--candidate", "9"], "cannot follow candidate 9"),
])
def test_cli_bad_input_exits_1_without_a_traceback(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "x.html")]
    assert main(["demo", *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("platechar: error:") and message in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.html").exists()


def test_cli_needs_an_image_or_a_run(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", "x.html"])
    assert exit_info.value.code == 2
    assert "IMAGE" in capsys.readouterr().err


def test_demo_needs_neither_tensorflow_nor_pyplot(tmp_path):
    code = (
        "import sys\n"
        "import platechar.demo, platechar.commands.demo\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported too early'\n"
        "from platechar.cli import main\n"
        f"args = ['demo', {str(CROP)!r}, '--crop', '--out', {str(tmp_path / 'd.png')!r}]\n"
        "assert main(args) == 0\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
