"""Plate syntax: look-alike characters swapped to fit a region's letter/digit patterns."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import platechar
from platechar import reader as reader_module
from platechar.cli import main
from platechar.errors import PlatecharError
from platechar.results import CharReading, PlateReading
from platechar.syntax import _expand, plate_syntax


def reading_of(*chars) -> PlateReading:
    """A reading from (char, p, [(alternative, p), ...]) triples; confidence = product."""
    readings = tuple(CharReading(c, p, (i, 0, 5, 10), tuple(alts))
                     for i, (c, p, alts) in enumerate(chars))
    confidence = float(np.prod([p for _, p, _ in chars]))
    return PlateReading("".join(c for c, _, _ in chars), confidence, "segmented",
                        chars=readings)


def brazilian(o_alternative: float) -> PlateReading:
    """ABC1204 read with an O (and 0 next) where both Brazilian formats (AAA9999,
    Mercosur AAA9A99) have a digit."""
    return reading_of(("A", 0.99, [("4", 0.01)]), ("B", 0.98, [("8", 0.02)]),
                      ("C", 0.97, [("G", 0.02)]), ("1", 0.95, [("I", 0.04)]),
                      ("2", 0.99, [("Z", 0.01)]),
                      ("O", 0.90, [("0", o_alternative), ("D", 0.01)]),
                      ("4", 0.99, [("A", 0.01)]))


def test_a_lookalike_letter_in_a_digit_place_becomes_the_digit():
    fixed = plate_syntax("br").apply(brazilian(0.3))
    assert fixed.text == "ABC1204"
    zero = fixed.chars[5]
    assert zero.text == "0" and zero.confidence == pytest.approx(0.3)
    assert zero.alternatives[0] == ("O", 0.90)  # the backend's own first choice is kept
    assert zero.box == (5, 0, 5, 10)
    assert fixed.confidence == pytest.approx(brazilian(0.3).confidence * 0.3 / 0.90)


def test_how_unlikely_a_swap_may_be_depends_on_the_region():
    unsure = brazilian(0.005)  # 0 is 180 times less likely than O to the backend
    assert plate_syntax("br").apply(unsure).text == "ABC1204"  # Brazil: always the format
    assert plate_syntax("any").apply(unsure).text == "ABC12O4"  # anywhere: too unlikely
    assert plate_syntax("any").apply(brazilian(0.3)).text == "ABC1204"
    assert plate_syntax("off") is None


def test_only_lookalikes_are_swapped_and_unknown_lengths_are_left_alone():
    # H's alternative 4 would fit a digit place, but H and 4 do not look alike
    reading = reading_of(("A", 0.9, []), ("B", 0.9, []), ("C", 0.9, []), ("1", 0.9, []),
                         ("2", 0.9, []), ("H", 0.6, [("4", 0.4)]), ("4", 0.9, []))
    assert plate_syntax("br").apply(reading).text == "ABC12H4"
    vanity = reading_of(*[(c, 0.5, [("0", 0.5)]) for c in "LONGVANITYX"])
    assert plate_syntax("any").apply(vanity) is vanity
    assert plate_syntax("any").apply(PlateReading("", 0.0, "segmented")).text == ""


def test_prior_is_one_for_a_pattern_and_the_strictness_otherwise():
    brazil = plate_syntax("br")
    assert brazil.fits("ABC1234") and brazil.fits("ABC1D23")
    assert not brazil.fits("ABCI234") and not brazil.fits("SALVADOR") and not brazil.fits("")
    assert brazil.prior("ABC1234") == 1.0
    assert brazil.prior("SALVADOR") == brazil.strictness == 1e-3
    assert plate_syntax("any").prior("TEXAS") == 0.1


def cut_reading(text: str, widths: list[int], confidences: list[float],
                backend: str = "segmented") -> PlateReading:
    """A reading whose characters have the given box widths and confidences."""
    chars, x = [], 0
    for char, width, p in zip(text, widths, confidences, strict=True):
        chars.append(CharReading(char, p, (x, 0, width, 30)))
        x += width + 4
    return PlateReading(text, float(np.prod(confidences)), backend, chars=tuple(chars))


def test_a_stray_end_is_dropped_only_when_unsure_and_the_rest_fits():
    fix = plate_syntax("any").apply
    # a European plate's blue band edge, cut as a narrow first character read as P
    band = cut_reading("PRK959AD", [9, 18, 18, 17, 18, 18, 18, 18], [0.9] + [0.99] * 7)
    fixed = fix(band)
    assert fixed.text == "RK959AD" and [c.box[0] for c in fixed.chars][0] == 13
    assert fixed.confidence == pytest.approx(0.99 ** 7)
    # the frame at the right end, read as a wide W
    assert fix(cut_reading("EUS664W", [18] * 6 + [40], [0.99] * 6 + [0.9])).text == "EUS664"
    # a first character read surely is a character
    sure = cut_reading("PRK959AD", [9] + [18] * 7, [0.99] * 8)
    assert fix(sure).text == "PRK959AD"
    assert fix(cut_reading("8BL8976", [18] * 7, [0.98] + [0.99] * 6)).text == "8BL8976"
    # nothing is dropped when the reading fits as it is, or does not fit without it
    assert fix(cut_reading("RK959AD", [9] + [18] * 6, [0.9] + [0.99] * 6)).text == "RK959AD"
    assert fix(cut_reading("PXXXXX", [9] + [18] * 5, [0.9] + [0.99] * 5)).text == "PXXXXX"
    # the holistic backend's boxes are not cut by segmentation: left alone
    assert fix(cut_reading("PRK959AD", [9] + [18] * 7, [0.9] + [0.99] * 7,
                                "holistic")).text == "PRK959AD"


def spaced_reading(text: str, probabilities: dict[int, tuple[float, list]], gap_after: int | None,
                   backend: str = "segmented") -> PlateReading:
    """``text`` read surely (0.99) but where ``probabilities`` says, with boxes 18 px wide
    4 apart, and 20 px more after character ``gap_after``."""
    chars, x = [], 0
    for i, char in enumerate(text):
        p, alternatives = probabilities.get(i, (0.99, []))
        chars.append(CharReading(char, p, (x, 0, 18, 30), tuple(alternatives)))
        x += 22 + (20 if i == gap_after else 0)
    return PlateReading(text, float(np.prod([c.confidence for c in chars])), backend,
                        chars=tuple(chars))


def test_brazils_bar_and_oval_are_read_by_their_place():
    # NYY1710 on an old Brazilian plate: the font's 1 is I's bare bar and its 0 is O's
    # oval, and a recogniser that learnt fonts with a flagged 1 is sure of the letters
    sure_letters = {3: (0.997, [("1", 0.003)]), 5: (0.983, [("1", 0.016)]),
                    6: (0.889, [("Q", 0.09), ("C", 0.01)])}
    reading = spaced_reading("NYYI7IO", sure_letters, gap_after=2)
    fixed = plate_syntax("br").apply(reading)
    assert fixed.text == "NYY1710"
    assert fixed.chars[6].confidence == pytest.approx(0.2 * 0.889)  # the twin's odds
    assert fixed.chars[6].alternatives[0] == ("O", 0.889)
    # where the twin odds are 0 the backend's own odds stand, and swaps at 1:300, 1:60
    # and for an absent 0 are beyond a lenient region's strictness
    assert plate_syntax("us").apply(reading).text == "NYYI7IO"
    assert plate_syntax("any").apply(reading).text == "NYYI7IO"


def test_a_visible_gap_tells_an_old_brazilian_plate_from_a_mercosur_one():
    # NZW2197 read NZW2I97, which is Mercosur's AAA9A99 as it stands
    bar = {4: (0.995, [("1", 0.004)])}
    old = spaced_reading("NZW2I97", bar, gap_after=2)  # the dash after the letters
    assert plate_syntax("br").apply(old).text == "NZW2197"
    mercosur = spaced_reading("NZW2I97", bar, gap_after=None)  # evenly spaced
    assert plate_syntax("br").apply(mercosur).text == "NZW2I97"
    # the holistic backend's boxes (the columns that produced each character) show a
    # gap too, but on a coarser grid: it must be wider to count
    holistic = spaced_reading("NZW2I97", bar, gap_after=2, backend="holistic")
    assert plate_syntax("br").apply(holistic).text == "NZW2197"
    slight = spaced_reading("NZW2I97", bar, gap_after=None, backend="holistic")
    slight = replace(slight, chars=tuple(  # the pitch after W 1.36 times the others
        replace(c, box=(c.box[0] + (8 if i > 2 else 0), *c.box[1:]))
        for i, c in enumerate(slight.chars)))
    assert plate_syntax("br").apply(slight).text == "NZW2I97"
    assert plate_syntax("br").apply(replace(slight, backend="segmented")).text == "NZW2197"
    # with every style's patterns, some format has a gap almost anywhere: no gap rule
    assert plate_syntax("any").layouts == {}


def test_without_a_region_a_brazilian_layout_is_read_by_brazils_rules():
    any_region = plate_syntax("any")
    assert any_region.layout_regions == ("br",)
    bar = {4: (0.995, [("1", 0.004)])}
    # NZW-2197 read NZW2I97: the gap after the letters is Brazil's AAA-9999
    assert any_region.apply(spaced_reading("NZW2I97", bar, gap_after=2)).text == "NZW2197"
    # evenly spaced it may be Mercosur's AAA9A99, which it fits as it stands
    assert any_region.apply(spaced_reading("NZW2I97", bar, gap_after=None)).text == "NZW2I97"
    # the gap elsewhere is no Brazilian layout; the holistic backend's gap counts too
    assert any_region.apply(spaced_reading("NZW2I97", bar, gap_after=3)).text == "NZW2I97"
    assert any_region.apply(spaced_reading("NZW2I97", bar, gap_after=2,
                                           backend="holistic")).text == "NZW2197"
    # OZL-2318 read 0ZL2318, the 0 97% sure: any's strictness alone keeps the 0
    zero = {0: (0.97, [("O", 0.03)])}
    assert any_region.apply(spaced_reading("0ZL2318", zero, gap_after=None,
                                           backend="holistic")).text == "0ZL2318"
    assert any_region.apply(spaced_reading("0ZL2318", zero, gap_after=2,
                                           backend="holistic")).text == "OZL2318"
    # Czech 1B1 9839 has the same gap: two twin swaps (1:25) stay beyond any's
    # strictness, so it keeps its digits, and the region's own rules still swap
    assert any_region.apply(spaced_reading("1B19839", {}, gap_after=2)).text == "1B19839"
    czech = spaced_reading("1B8O338", {3: (0.74, [("0", 0.25)])}, gap_after=2)
    assert any_region.apply(czech).text == "1B80338"


def test_a_region_knows_formats_its_synthetic_styles_do_not_draw():
    # Czech 1B8 0338 and Polish WA 56660 are European plates the eu style does not draw
    europe = plate_syntax("eu")
    assert europe.fits("1B80338") and europe.fits("WA56660")
    czech = spaced_reading("1B8O338", {3: (0.74, [("0", 0.25)])}, gap_after=2)
    assert europe.apply(czech).text == "1B80338"
    assert plate_syntax("any").fits("WA56660")  # the default takes every region's
    assert not plate_syntax("br").fits("1B80338") and not plate_syntax("br").fits("WA56660")
    # Missouri's AB1 C2D: a plate's reading ranks with the others that fit, not below them
    assert plate_syntax("us").fits("FE9N6K") and plate_syntax("any").prior("FE9N6K") == 1.0
    assert not plate_syntax("eu").fits("FE9N6K")


def test_formats_give_their_patterns_with_the_places_of_their_gaps():
    assert _expand("AAA-9999") == {("AAA9999", frozenset({3}))}
    assert _expand("AA 999 AA") == {("AA999AA", frozenset({2, 5}))}
    assert _expand("AAA9A99") == {("AAA9A99", frozenset())}
    assert _expand("AA99|9999") == {("AA999999", frozenset())}  # a new line is no gap
    assert _expand("99 A?") == {("99A", frozenset({2})), ("99A*", frozenset({2}))}
    assert set(plate_syntax("br").layouts["AAA9999"]) == {frozenset({3}), frozenset()}


def test_unknown_region_is_refused_clearly():
    with pytest.raises(PlatecharError, match="unknown region 'mars'.*any, us, eu, br, off"):
        platechar.Reader(region="mars")


class BrazilianBackend:
    def recognize(self, crop):
        return brazilian(0.005)


def test_the_reader_applies_its_region(monkeypatch):
    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": BrazilianBackend})
    monkeypatch.setattr(reader_module, "_default_readers", {})
    crop = np.full((40, 120, 3), 200, np.uint8)
    assert platechar.Reader(region="br").recognize(crop).text == "ABC1204"
    assert platechar.Reader(region="off").recognize(crop).text == "ABC12O4"
    assert platechar.recognize(crop, region="br").text == "ABC1204"
    assert platechar.recognize(crop).text == "ABC12O4"  # "any": 0 is too unlikely
    assert "region='br'" in repr(platechar.Reader(region="br"))


def test_cli_region_option(monkeypatch, tmp_path, capsys):
    import cv2

    monkeypatch.setattr(reader_module, "BACKENDS", {"segmented": BrazilianBackend})
    path = tmp_path / "plate.png"
    cv2.imwrite(str(path), np.full((40, 120, 3), 200, np.uint8))
    assert main(["read", str(path), "--crops", "--json", "--region", "br"]) == 0
    plates = json.loads(capsys.readouterr().out)["plates"]
    assert plates[0]["text"] == "ABC1204"
    with pytest.raises(SystemExit):
        main(["read", str(path), "--crops", "--region", "mars"])
