"""The detection stage on images the tests make: drawn plates and synthetic scenes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detection import PlateCandidate, detect_plates, iou, width_covered
from detection.characters import link_into_lines
from detection.geometry import rectify


def drawn_scene(text="7ABC123", dark_on_light=True, angle=0.0, size=(480, 640)):
    """A textured ground with one plate; returns the image and the plate's true box."""
    height, width = size
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 20, (height // 10, width // 10)).astype(np.float32)
    scene = np.clip(110 + cv2.resize(noise, (width, height)), 0, 255).astype(np.uint8)
    # Proportions of a US plate: characters half the plate's height, small side margins.
    font, scale, thickness = cv2.FONT_HERSHEY_SIMPLEX, 1.2, 3
    (text_w, char_h), _ = cv2.getTextSize(text, font, scale, thickness)
    plate_w, plate_h = text_w + char_h, 2 * char_h
    plate = np.full((plate_h, plate_w), 230 if dark_on_light else 30, np.uint8)
    ink = 25 if dark_on_light else 235
    cv2.rectangle(plate, (2, 2), (plate_w - 3, plate_h - 3), ink, 2)
    cv2.putText(plate, text, (char_h // 2, (plate_h + char_h) // 2), font, scale, ink, thickness,
                cv2.LINE_AA)
    x, y = 230, 250
    if angle:
        rotation = cv2.getRotationMatrix2D((plate_w / 2, plate_h / 2), angle, 1.0)
        corners = cv2.transform(np.array([[[0, 0], [plate_w, 0], [plate_w, plate_h],
                                           [0, plate_h]]], np.float32), rotation)[0]
        mask = cv2.warpAffine(np.full_like(plate, 255), rotation, (plate_w, plate_h))
        plate = cv2.warpAffine(plate, rotation, (plate_w, plate_h))
        region = scene[y:y + plate_h, x:x + plate_w]
        region[mask > 0] = plate[mask > 0]
        xs, ys = corners[:, 0].clip(0, plate_w), corners[:, 1].clip(0, plate_h)
        box = (x + int(xs.min()), y + int(ys.min()), int(np.ptp(xs)), int(np.ptp(ys)))
    else:
        scene[y:y + plate_h, x:x + plate_w] = plate
        box = (x, y, plate_w, plate_h)
    return cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR), box


@pytest.mark.parametrize("dark_on_light", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_finds_a_drawn_plate_first(dark_on_light):
    image, box = drawn_scene(dark_on_light=dark_on_light)
    candidates = detect_plates(image)
    assert candidates, "no candidate at all"
    assert iou(candidates[0].box, box) > 0.5
    assert candidates[0].details["characters"] >= 5


@pytest.mark.parametrize("text", ["RK  875AE", "RK    875AE"])
def test_a_plate_whose_characters_stand_in_groups_is_found_whole(text):
    """Slovak, Brazilian and many US plates set a group of characters apart by a wide
    gap; detection used to propose and keep only the longer group (60% of the plate)."""
    image, box = drawn_scene(text)
    best = detect_plates(image)[0]
    covered = width_covered(best.box, box)
    assert covered > 0.9, f"the best candidate spans {covered:.0%} of the plate's width"
    assert best.details["characters"] == 7


def test_a_lone_character_set_apart_is_grown_into_the_plate():
    """A candidate one character short of its plate (a first letter set apart by a wide
    gap, as on many Brazilian and US photos) is grown by that one character."""
    image, box = drawn_scene("K    875123")
    best = detect_plates(image)[0]
    assert width_covered(best.box, box) > 0.9
    assert best.details["characters"] == 7


def _row(xs, width=20, height=40):
    return link_into_lines(np.array([[x, 10, width, height] for x in xs]), (80, 400), "dark",
                           link_gap=1.5)[0]


def test_one_wide_gap_inside_a_row_is_a_separator_not_irregularity():
    even = _row([0, 25, 50, 75, 100, 125, 150])
    separated = _row([0, 25, 75, 100, 125, 150, 175])   # RK 875AE
    wide_at_end = _row([0, 25, 50, 75, 100, 125, 175])  # a bolt or a symbol after the text
    assert separated.regularity() > 0.95 * even.regularity()
    assert wide_at_end.regularity() < 0.9 * even.regularity()


def test_verification_reads_a_known_polarity_where_the_dark_share_misleads():
    # A narrow light plate with dark digits in a crop that is mostly dark paint: the
    # central band's dark share says "light characters", and no row is found that way.
    # grown() knows the first row's polarity and passes it on.
    from detection.verify import verify_candidate

    crop = np.full((48, 320), 30, np.uint8)
    cv2.rectangle(crop, (100, 4), (215, 44), 220, -1)
    for i, digit in enumerate("1234"):
        cv2.putText(crop, digit, (104 + 27 * i, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 3)
    assert verify_candidate(crop).row is None
    assert verify_candidate(crop, "light").row is None
    evidence = verify_candidate(crop, "dark")
    assert evidence.row is not None and evidence.row.count == 4
    assert evidence.row.polarity == "dark"


def test_verification_keeps_characters_whose_columns_look_like_frame():
    # A loose candidate around a small plate: dark paint above and below it, and the
    # characters touching both. Each column through a character is then mostly ink,
    # so blanking every such column as frame cut the characters to slivers and nothing
    # was found; blanking only columns near the sides keeps them.
    from detection.verify import verify_candidate

    crop = np.full((48, 180), 205, np.uint8)
    crop[:11] = 35
    crop[37:] = 35
    for i, char in enumerate("7BC423"):
        cv2.putText(crop, char, (10 + 27 * i, 37), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 35, 4)
    evidence = verify_candidate(crop)
    assert evidence.binarisation.endswith("-edges")
    assert evidence.row is not None and evidence.row.count >= 5
    assert evidence.score > 0.4


def test_growing_looks_along_the_first_rows_band_only():
    # "463 9520" with the second group streaked into the dirt on the plate's lower edge:
    # in the whole crop those four are one blob with the dirt, too tall to pass for
    # characters; within the band of the first row ("463") they stand free.
    from detection.verify import verify_candidate

    crop = np.full((48, 320), 60, np.uint8)
    cv2.rectangle(crop, (46, 0), (274, 47), 215, -1)
    cv2.rectangle(crop, (140, 42), (250, 47), 40, -1)  # dirt along the lower edge...
    for i, digit in enumerate("463"):
        cv2.putText(crop, digit, (70 + 22 * i, 36), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 25, 2)
    for i, digit in enumerate("9520"):
        x = 150 + 22 * i
        cv2.putText(crop, digit, (x, 36), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 25, 2)
        cv2.line(crop, (x + 8, 35), (x + 8, 43), 40, 2)  # ...streaked up into them
    assert verify_candidate(crop, "dark").row.count == 4
    assert verify_candidate(crop, "dark", band=(14, 40)).row.count == 7


def test_the_band_drops_what_runs_through_it():
    # A frame's post cut to the band's height would pass for a "1"; a character that
    # only touches the band's lower edge stays.
    from detection.verify import within_band

    ink = np.zeros((48, 100), np.uint8)
    ink[0:48, 10:16] = 255   # a post through the whole crop
    ink[16:44, 40:56] = 255  # a character joined to something below the band
    band = within_band(ink, 12, 38)
    assert not band[:, 10:16].any()
    assert band[16:38, 40:56].all() and not band[38:, :].any() and not band[:12, :].any()


def test_small_characters_touching_a_line_come_free_of_it():
    from detection.characters import character_blobs, without_long_runs

    ink = np.zeros((60, 200), np.uint8)
    for i, digit in enumerate("12345"):
        cv2.putText(ink, digit, (20 + 16 * i, 36), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
    ink[36:39, 10:110] = 255  # the frame's lower edge, touching every character
    assert len(character_blobs(ink, 8, 24)) == 0
    freed = without_long_runs(ink, 24)
    assert len(character_blobs(freed, 8, 24)) == 5


def test_a_row_of_bars_is_a_fence_not_a_plate():
    from detection.verify import not_bars_term

    fence = np.array([[x, 0, 6, 40] for x in range(0, 140, 20)])
    plate_with_ones = np.array([[x, 0, 6 if x in (20, 80) else 22, 40] for x in range(0, 210, 30)])
    assert not_bars_term(fence) == 0
    assert not_bars_term(plate_with_ones) == 1


def test_finds_a_tilted_plate():
    image, box = drawn_scene(angle=8)
    candidates = detect_plates(image, max_candidates=3)
    assert any(iou(c.box, box) > 0.4 for c in candidates)


def test_candidates_are_well_formed():
    image, _ = drawn_scene()
    candidates = detect_plates(image, max_candidates=4)
    assert 1 <= len(candidates) <= 4
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    for candidate in candidates:
        assert isinstance(candidate, PlateCandidate)
        assert 0 < candidate.score <= 1
        assert candidate.quad.shape == (4, 2) and candidate.quad.dtype == np.float32
        x, y, w, h = candidate.box
        assert 0 <= x and 0 <= y and x + w <= image.shape[1] and y + h <= image.shape[0]
        assert candidate.crop.dtype == np.uint8 and candidate.crop.ndim == 3
        assert candidate.crop.shape[0] >= 32 and candidate.crop.shape[1] > candidate.crop.shape[0]
        assert set(candidate.to_dict()) == {"box", "quad", "score", "method"}


def test_gray_input_gives_the_same_plates():
    image, _ = drawn_scene()
    from_bgr = detect_plates(image)
    from_gray = detect_plates(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    assert [c.box for c in from_bgr] == [c.box for c in from_gray]
    assert from_gray[0].crop.ndim == 2


@pytest.mark.parametrize("image", [
    np.full((480, 640, 3), 128, np.uint8),          # nothing but grey
    np.zeros((20, 30, 3), np.uint8),                # smaller than the smallest pyramid level
    np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8),  # pure noise
], ids=["blank", "tiny", "noise"])
def test_no_plate_means_an_empty_list_or_weak_candidates(image):
    candidates = detect_plates(image)
    assert all(c.score < 0.5 for c in candidates)


def test_stages_hold_named_intermediate_images():
    image, _ = drawn_scene()
    stages: dict = {}
    detect_plates(image, stages=stages)
    for name in ("gray", "threshold_dark", "rows_dark", "edges", "closed", "proposals",
                 "candidates"):
        assert name in stages, name
        assert isinstance(stages[name], np.ndarray) and stages[name].dtype == np.uint8
    assert stages["gray"].shape == image.shape[:2]
    assert stages["candidates"].shape == image.shape


def test_recall_on_synthetic_scenes():
    """Synthetic scenes are harder than the drawn one (clutter, phone numbers and signs on
    and around the car, perspective, blur): most plates must still be among the top three.
    Measured: 71 of 100 scenes (seed 5), 16 of these 24; the bar leaves room for harmless
    changes, not for a regression."""
    from platechar import synth

    scenes = synth.generate_scenes(24, seed=5, fonts="bundled")
    found = sum(any(iou(c.box, s.box) > 0.4 for c in detect_plates(s.image, max_candidates=3))
                for s in scenes)
    assert found >= 13, f"only {found} of 24 synthetic plates found"


def test_the_best_candidate_does_not_depend_on_how_many_are_asked_for():
    """Growing a candidate must not promote it: when it did, a grown distractor came
    first with max_candidates=3 but not with 1 (9 of 100 scenes of seed 5, from 30 on)."""
    from platechar import synth

    for scene in synth.generate_scenes(16, seed=5, fonts="bundled", start=30):
        one = detect_plates(scene.image, max_candidates=1)
        three = detect_plates(scene.image, max_candidates=3)
        assert [c.box for c in one] == [c.box for c in three[:1]]


def test_iou():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0


def test_rectify_straightens_a_quad():
    image = np.zeros((100, 200), np.uint8)
    image[40:60, 50:150] = 255
    quad = np.array([[50, 40], [150, 40], [150, 60], [50, 60]], np.float32)
    crop = rectify(image, quad, height=40)
    assert crop.shape == (40, 200)
    assert crop[5:35, 10:190].mean() > 240
