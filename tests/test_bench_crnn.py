"""bench_crnn's sorting of synthetic misreadings (the benchmark itself needs the data)."""

from benchmarks.bench_crnn import MISS_KINDS, kind_of_miss

ONLY_O, ONLY_I, LINE, OTHER = MISS_KINDS


def test_letters_drawn_alike_are_told_from_other_misses():
    assert kind_of_miss("ABO123", "ABO 123", "AB0123") == ONLY_O
    assert kind_of_miss("AB0123", "AB0 123", "ABO123") == ONLY_O
    assert kind_of_miss("LCI1118", "LCI-1118", "LC11118") == ONLY_I
    assert kind_of_miss("IBO0I97", "IBO0I97", "1B00197") == ONLY_I
    assert kind_of_miss("ABC123", "ABC 123", "ABC128") == OTHER
    assert kind_of_miss("ABC123", "ABC 123", "ABC1234") == OTHER


def test_a_two_line_plate_read_as_one_of_its_lines():
    assert kind_of_miss("UR075045", "UR07|5045", "5045") == LINE
    assert kind_of_miss("UR075045", "UR07|5045", "UR07") == LINE
    assert kind_of_miss("QE920239", "QE92|0239", "0238") == LINE  # within one character
    assert kind_of_miss("1V0RKC1", "1V0|RKC1", "RXC") == OTHER
    # one-line plates have no line to leave out
    assert kind_of_miss("ABC123", "ABC 123", "ABC12") == OTHER


def test_vanity_plates_are_words_not_serials():
    from benchmarks.bench_crnn import is_vanity

    for label in ("BL0GGER", "IM4REAL", "GUTSY", "N0G0DS", "C0NNMAN", "KHAAANN"):
        assert is_vanity(label), label
    for label in ("7BPD06", "ABC1234", "00617", "692", "AB12CD"):
        assert not is_vanity(label), label


def test_misses_are_counted_per_font_with_their_look_alikes():
    from types import SimpleNamespace as Item

    from benchmarks.bench_crnn import misses_by_font

    plates = [Item(text="ABO123", layout="ABO 123", font="mono"),
              Item(text="ABC123", layout="ABC 123", font="mono"),
              Item(text="XYZ789", layout="XYZ 789", font="sans"),
              Item(text="KLM456", layout="KLM 456", font="mono")]
    readings = [Item(text="AB0123"), Item(text="ABC128"), Item(text="XYZ789"),
                Item(text="KLM456")]
    assert misses_by_font(plates, readings) == {"mono": (3, 2, 1), "sans": (1, 0, 0)}
    assert list(misses_by_font(plates, readings)) == ["mono", "sans"]  # most drawn first


def test_only_one_reads_names_the_plates_each_model_alone_reads():
    from benchmarks.bench_crnn import only_one_reads

    truth = ["7BPD06", "ATHEIST", "ABC123", "XYZ9"]
    ours = ["7BPD06", "ATHE1ST", "ABC123", "XY29"]
    theirs = ["7BP006", "ATHEIST", "ABC123", ""]
    assert only_one_reads(truth, ours, theirs) == [
        "only this one: 7BPD06 (7BP006)", "only that one: ATHEIST (ATHE1ST)"]
    assert only_one_reads(truth, theirs, theirs) == ["only this one: none", "only that one: none"]
    many = only_one_reads(["A1"] * 5, ["A1"] * 5, [""] * 5, most=2)
    assert many[0] == "only this one: A1 (-), A1 (-) and 3 more"
