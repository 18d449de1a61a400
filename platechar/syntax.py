"""Plate syntax: where a region's plates have letters and where they have digits.

A recogniser that reads characters one by one cannot tell ``0`` from ``O`` or ``1``
from ``I`` when a plate font draws them alike; a person reading a Brazilian plate
knows that its first three characters are letters and its last four digits. This
stage brings that knowledge in, as plate readers such as OpenALPR do with their
per-country patterns.

The patterns are the text formats of the synthetic plate styles
(:mod:`platechar.synth.styles`) and of :data:`MORE_FORMATS`: ``A`` a letter, ``9`` a
digit, ``*`` either. A reading
is rewritten only by swapping a character for a *look-alike* among the backend's own
alternatives for it (``0``/``O``/``D``/``Q``, ``1``/``I``, ``8``/``B``, ...), to the
likeliest reading that fits a pattern, and only when that reading's probability (the
product of its characters') is at least ``strictness`` times the backend's own best
reading's. That is a prior: ``strictness`` is how much more likely a plate is to follow
the patterns than not. Brazil's plates always do (strict); US plates are often vanity
plates that follow none (lenient).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from platechar.errors import PlatecharError
from platechar.results import CharReading, PlateReading

LOOKALIKES = ("0ODQU", "1IJTL", "2Z", "5S", "8B", "6G", "4A", "7T")
"""Groups of characters that plate fonts draw nearly alike: only these are swapped."""

IDENTICAL = ("0O", "1I")
"""Pairs that some plate fonts draw the same: Brazil's old plates have a bare bar for
both ``1`` and ``I`` and one oval for ``0`` and ``O``. A recogniser trained mostly on
fonts that tell them apart reads such a ``1`` as ``I`` with a probability of 0.99 or
more, so only the pattern can decide; see the regions' ``twin_odds``."""

REGIONS: dict[str, tuple[tuple[str, ...] | None, float, float]] = {
    "any": (None, 0.1, 0.0),
    "us": (("us",), 0.1, 0.0),
    "eu": (("eu",), 1e-3, 0.0),
    "br": (("br", "br_mercosur"), 1e-3, 0.2),
}
"""Region -> (the synthetic styles whose formats are its patterns, ``None`` for all of
them; its strictness; its twin odds). Chosen on the ``endtoend`` photos and
``seg_and_ocr`` crops.

*Strictness*: with every style's patterns at 0.1, no set read fewer plates with either
backend (the CRNN of then; today's loses one of 155 held-out crops and gains two
Brazilian photos).

*Twin odds*: in a region whose plates keep to their formats, the other one of an
:data:`IDENTICAL` pair is taken as at least this many times as likely as the one the
backend read, whatever the backend says (0 turns the rule off). Measured with
``platechar compare .../endtoend/{br,eu,us} --region R`` after setting a region's twin
odds here, 0 -> 0.2 (any from 0.1 to 1 gives the same), with the CNN shipped before
2026-11-22's retraining: Brazil, segmented, 59.2% -> 65.3% of photos read exactly (75.5%
with the gap rule, :data:`GAP_ODDS`); holistic unchanged (77.6%). Europe gained two
photos with the holistic backend and lost two with the segmented one, among them
``1B19839`` read ``IBI9839``: its formats here are a sample of Europe's, and the odds
force plates of formats missing from it into one that is there. In the lenient regions a
single swap at these odds passes their strictness (US: ``1049338`` read ``1O49338``). So
only Brazil, whose two formats are all it has."""

MORE_FORMATS: dict[str, tuple[str, ...]] = {
    "eu": ("9A9 9999", "AA 99999"),
    "us": ("AA9 A9A",),
}
"""Region -> formats (as in :mod:`platechar.synth.styles`) its plates have that its
synthetic styles do not draw: Czech ``1B8 0338`` and Polish ``WA 56660``. Without them
``--region eu`` held such plates to the other formats and read fewer European photos
than the default region (``platechar compare .../endtoend/eu --region eu``: segmented
71.4% -> 78.6%, first reading 67.9% -> 76.8%; holistic 82.1% -> 83.9%; the default
region reads 78.6% and 82.1%). The default region, which takes every style's formats,
takes these too; its figures (us/eu/br photos, the 359 crops, ``platechar evaluate
--synthetic 500 --seed 3``) did not change.

Missouri's ``AB1 C2D`` (a third of the ``endtoend/us`` photos: ``FE9N6K``, ``UG9L8U``)
fitted none of the US patterns, so its readings were ranked at the strictness' odds
below any that fitted (a bumper's ``0UB465`` before the plate's ``FE9N6K``). With it,
``platechar compare .../endtoend/us`` (default region): segmented 68.2% -> 69.1% (first
reading 67.3% -> 68.2%), holistic 77.3% -> 78.2% (74.5% -> 76.4%); the European and
Brazilian photos, the 359 crops and 500 synthetic plates unchanged. (All-digit formats
such as Illinois' ``463 9520`` moved a photo or a crop either way; left out.)"""

REGION_NAMES = (*REGIONS, "off")

_DIGITS = frozenset("0123456789")
_ALIKE = {c: frozenset(group) - {c} for group in LOOKALIKES for c in group}
_TWIN = {a: b for pair in IDENTICAL for a, b in (pair, pair[::-1])}


@dataclass(frozen=True)
class PlateSyntax:
    """A region's letter/digit patterns and how firmly its plates follow them."""

    region: str
    patterns: frozenset[str]
    strictness: float
    twin_odds: float = 0.0
    layouts: dict = field(default_factory=dict, compare=False, hash=False)
    """pattern -> the sets of places (index of the character after it) where its
    formats leave a gap, a dash or a dot between characters; empty for a region with
    no formats of its own, which has no gap rule (see GAP_ODDS)."""
    layout_regions: tuple[str, ...] = ()
    """Regions whose own layout, seen in a reading's gaps, hands the reading to their
    rules (see :meth:`_by_layout`); for ``any``, the regions with twin odds."""

    def apply(self, reading: PlateReading) -> PlateReading:
        """``reading`` with look-alike characters swapped where a pattern says so
        (unchanged when no pattern fits well enough), and without a stray end
        character (see :func:`stray_end`) when only that keeps it from fitting one."""
        swapped = self._swapped(reading)
        if self.fits(swapped.text):
            return swapped
        for end in (0, -1):
            if stray_end(reading, end):
                kept = slice(1, None) if end == 0 else slice(None, -1)
                dropped = max(reading.chars[end].confidence, 1e-12)
                trimmed = self._swapped(replace(
                    reading, text=reading.text[kept], chars=reading.chars[kept],
                    confidence=min(1.0, reading.confidence / dropped)))
                if self.fits(trimmed.text):
                    return trimmed
        return swapped

    def _swapped(self, reading: PlateReading) -> PlateReading:
        chars = reading.chars
        if not chars or len(chars) != len(reading.text):
            return reading
        by_layout = self._by_layout(reading)
        if by_layout is not None:
            return by_layout
        options = [_options(c, self.twin_odds) for c in chars]
        gaps = _wide_gaps(reading) if self.layouts else frozenset()
        best = None
        for pattern in self._by_length.get(len(chars), ()):
            chosen = []
            for choices, kind in zip(options, pattern, strict=True):
                fitting = [o for o in choices if _fits(o[0], kind)]
                if not fitting:
                    break
                chosen.append(max(fitting, key=lambda o: o[1]))
            else:
                score = sum(math.log(max(p, 1e-12)) for _, p in chosen)
                score += math.log(self._layout_odds(pattern, gaps))
                if best is None or score > best[0]:
                    best = (score, chosen)
        if best is None:
            return reading
        own = sum(math.log(max(c.confidence, 1e-12)) for c in chars)
        text = "".join(ch for ch, _ in best[1])
        if text == reading.text or best[0] - own < math.log(self.strictness):
            return reading
        new_chars = tuple(_swapped(c, ch, p) for c, (ch, p) in zip(chars, best[1], strict=True))
        ratio = math.exp(best[0] - own)
        return replace(reading, text=text, chars=new_chars,
                       confidence=min(1.0, reading.confidence * ratio))

    def _by_layout(self, reading: PlateReading) -> PlateReading | None:
        """``reading`` held to the rules of a region whose own layout its gaps show.

        Without a region, a plate whose boxes leave a gap exactly where one of
        Brazil's formats does (``NYY-1710``: seven characters, a gap after the third)
        is read by Brazil's rules (its twin odds and gap rule), at this syntax's own
        strictness. Czech ``1B8 0338`` has the same gap, so the result is used only when
        it fits one of Brazil's patterns; otherwise (and for readings whose gaps show
        no such layout) ``None``, and this syntax's own rules apply. Measured with
        ``platechar compare .../endtoend/R --backends segmented`` (default region):
        ``br`` 57.1% -> 69.4% of photos read exactly; ``us`` (60.9%), ``eu`` (78.6%)
        and the 359 ``seg_and_ocr`` crops (85.5%) unchanged; ``platechar evaluate
        --synthetic 500 --seed 3 --backend segmented`` 64.8% -> 65.0%. At Brazil's
        own strictness (``_syntax(region)`` below) Brazil reads 75.5%, but Czech ``1B19839``
        becomes ``IBI9839``. The holistic backend's boxes show gaps too, on a coarser
        grid (:data:`CTC_GAP_PITCH`).
        """
        if not self.layout_regions:
            return None
        gaps = _wide_gaps(reading)
        if not gaps:
            return None
        n = len(reading.chars)
        for region in self.layout_regions:
            other = _syntax(region, self.strictness)
            if any(gaps in other.layouts.get(p, ()) for p in other._by_length.get(n, ())):
                read = other._swapped(reading)
                if other.fits(read.text):
                    return read
        return None

    def fits(self, text: str) -> bool:
        """Whether ``text`` follows one of the region's patterns as it stands."""
        return any(all(_fits(c, kind) for c, kind in zip(text, pattern, strict=True))
                   for pattern in self._by_length.get(len(text), ()))

    def prior(self, text: str) -> float:
        """The prior weight of a plate reading ``text``: 1 when it follows one of the
        patterns, ``strictness`` when it follows none (the odds :meth:`apply` weighs a
        swap against). :meth:`platechar.Reader.rank` orders readings with it."""
        return 1.0 if self.fits(text) else self.strictness

    def _layout_odds(self, pattern: str, gaps: frozenset[int]) -> float:
        """1 when the plate's visible gaps are where one of ``pattern``'s formats has
        them (or no gap is visible), else GAP_ODDS."""
        if not gaps:
            return 1.0
        if any(gaps <= spaced for spaced in self.layouts.get(pattern, (frozenset(),))):
            return 1.0
        return GAP_ODDS

    @cached_property
    def _by_length(self) -> dict[int, tuple[str, ...]]:
        """The patterns grouped by length (a reading is only held to ones of its own)."""
        groups: dict[int, list[str]] = {}
        for pattern in sorted(self.patterns):
            groups.setdefault(len(pattern), []).append(pattern)
        return {n: tuple(group) for n, group in groups.items()}


STRAY_DOUBT = 0.97
"""A first or last character read less surely than this may be the plate's frame or
the edge of a European plate's blue band that segmentation took for a character (the
CNN reads it as ``I``, ``1``, ``P``, ``F``, ``2``, ``W``). Measured with ``platechar
compare`` (segmented backend, default region): ``endtoend/eu`` 62.5% -> 75.0%, ``us``
58.2% -> 60.0% (first reading), the 359 ``seg_and_ocr`` crops 301 read either way; set
it to 0 to switch the rule off. Every character counts as unsure at 1.01, and 3 of those
crops lose a true first character read surely. A further condition that the character be
narrower or wider than the others changed none of these figures and cost 3 of 500 fresh
synthetic crops (``platechar evaluate --synthetic 500 --seed 3``), so there is none."""


def stray_end(reading: PlateReading, end: int) -> bool:
    """Whether ``reading``'s first (``end=0``) or last (``end=-1``) character may be
    something that is not one: read less surely than :data:`STRAY_DOUBT`. Only for the
    segmented backend's readings of three characters or more (the holistic backend reads
    no frame as a character); :meth:`PlateSyntax.apply` drops it only when the reading
    then fits a pattern and did not before."""
    chars = reading.chars
    if reading.backend != "segmented" or len(chars) < 3:
        return False
    return chars[end].confidence < STRAY_DOUBT


def _options(char: CharReading, twin_odds: float) -> list[tuple[str, float]]:
    """A character's reading and its look-alike alternatives, with their probabilities
    (its twin of :data:`IDENTICAL` at least ``twin_odds`` times the reading's)."""
    options = [(char.text, char.confidence)]
    options += [(a, p) for a, p in char.alternatives if a in _ALIKE.get(char.text, ())]
    twin = _TWIN.get(char.text)
    if twin is not None and twin_odds > 0:
        floor = twin_odds * char.confidence
        given = [p for a, p in options if a == twin]
        if not given:
            options.append((twin, floor))
        elif given[0] < floor:
            options = [(a, floor if a == twin else p) for a, p in options]
    return options


GAP_PITCH = 1.3
"""A gap is visible where the distance between two characters' centres is this many
times the median of their line's (1.2 reads the same photos, 1.5 loses Brazilian ones)."""
CTC_GAP_PITCH = 1.45
"""The same for the holistic backend, whose boxes are the columns of its sequence that
produced each character: CTC fires at a character's middle, so their centres stand
where the characters' do, but on a grid of 32 columns (a plate's pitch is 3-5 of them,
so one column off moves a pitch by a quarter). Old Brazilian plates' dash shows as
1.4-1.7 times the median pitch. Measured (default region, ``platechar compare
.../endtoend/R --backends holistic``): ``br`` 75.5% -> 87.8% (89.8% at 1.3); ``us``,
``eu``, the held-out crops and each region's own figures unchanged. Of 500 synthetic
plates (``platechar evaluate --synthetic 500 --seed 3 --backend holistic``) it reads
two fewer (three at 1.3), of ``--seed 4``'s one fewer: Czech-like ``GO1 0073`` becomes
``GOI0073``."""
_GAP_PITCHES = {"segmented": GAP_PITCH, "holistic": CTC_GAP_PITCH}  # backends whose boxes show gaps
GAP_ODDS = 0.1
"""How much less likely a pattern is when none of its formats has a gap where the
reading's boxes show one (see :func:`_wide_gaps`). Old Brazilian plates ``NZW-2197``
read ``NZW2I97`` fit Mercosur's evenly spaced ``AAA9A99`` as they stand; the dash's gap
says they are ``AAA-9999``. Only for regions with formats of their own (with every style's, some
format has a gap almost anywhere) and below the twin odds, which it must outweigh.
Measured (``platechar compare .../endtoend/R --region R --backends segmented``;
``GAP_ODDS = 1`` turns it off) with the CNN shipped before 2026-11-22's retraining:
``br`` 65.3% -> 75.5%, ``us`` 61.8% -> 62.7%, ``eu`` unchanged (69.6%); 0.3 lost the
Brazilian gain, 0.01 cost a European photo. With today's CNN: ``br`` 67.3% -> 77.6%,
``us`` 60.0% -> 60.9%, ``eu`` 73.2% -> 71.4%. Europe's one photo "lost" is
``test_006``, labelled ``RKO99AN``: Slovak plates (``AA-999AA``) have a digit there, and
the rule reads ``RK099AN``; the label is what is wrong (as ``test_056``'s ``RK3OOAG``)."""


def _wide_gaps(reading: PlateReading) -> frozenset[int]:
    """Places (index of the character after it) where the reading's boxes show a gap
    wider than the others of their line; lines of at least 4 characters. The segmented
    backend's boxes are the cut characters, the holistic backend's the columns that
    produced them (a coarser grid, so a gap must be wider: :data:`CTC_GAP_PITCH`)."""
    pitch = _GAP_PITCHES.get(reading.backend)
    if pitch is None or GAP_ODDS >= 1:
        return frozenset()
    boxes = [c.box for c in reading.chars]
    if len(boxes) < 4 or any(b is None for b in boxes):
        return frozenset()
    centres = [x + w / 2 for x, _, w, _ in boxes]
    lines, start = [], 0
    for i in range(1, len(boxes) + 1):
        if i == len(boxes) or boxes[i][0] < boxes[i - 1][0]:  # a new line starts
            lines.append(range(start, i))
            start = i
    wide = set()
    for line in lines:
        if len(line) < 4:
            continue
        pitches = {i: centres[i] - centres[i - 1] for i in line[1:]}
        typical = sorted(pitches.values())[len(pitches) // 2]
        wide |= {i for i, p in pitches.items() if p > pitch * typical}
    return frozenset(wide)


def _fits(char: str, kind: str) -> bool:
    return kind == "*" or (kind == "9") == (char in _DIGITS)


def _swapped(char: CharReading, text: str, probability: float) -> CharReading:
    if text == char.text:
        return char
    others = [(a, p) for a, p in char.alternatives if a != text]
    return replace(char, text=text, confidence=probability,
                   alternatives=((char.text, char.confidence), *others))


def plate_syntax(region: str | None) -> PlateSyntax | None:
    """The syntax of ``region`` (one of :data:`REGION_NAMES`; ``None`` means ``"any"``);
    ``None`` for ``"off"``."""
    region = "any" if region is None else region
    if region == "off":
        return None
    if region not in REGIONS:
        raise PlatecharError(f"unknown region {region!r}; use one of {', '.join(REGION_NAMES)}")
    return _syntax(region)


@cache
def _syntax(region: str, strictness: float | None = None) -> PlateSyntax:
    """``region``'s syntax (at another ``strictness`` when one is given), made once."""
    from platechar.synth.styles import get_style, style_names

    names, own_strictness, twin_odds = REGIONS[region]
    strictness = own_strictness if strictness is None else strictness
    layouts: dict[str, set[frozenset[int]]] = {}
    formats = [fmt for name in names or style_names() for fmt in get_style(name).formats]
    formats += [fmt for r, more in MORE_FORMATS.items() if names is None or r == region
                for fmt in more]
    for fmt in formats:
        for pattern, gaps in _expand(fmt):
            layouts.setdefault(pattern, set()).add(gaps)
    # an all-wildcard format (a vanity plate) says nothing about letters and digits
    kept = {p: tuple(g) for p, g in layouts.items() if set(p) != {"*"}}
    # With every style's patterns some format has a gap almost anywhere: no gap rule;
    # a region whose twins only its patterns can tell apart takes over by its layout
    by_layout = () if names else tuple(r for r, (own, _, odds) in REGIONS.items()
                                       if own and odds > 0)
    return PlateSyntax(region, frozenset(kept), strictness, twin_odds,
                       kept if names else {}, by_layout)


def _expand(fmt: str) -> set[tuple[str, frozenset[int]]]:
    """A style format's label patterns, ``?`` (optional) present or absent, each with
    the places of its gaps (the index of the character after a space, dash or dot)."""
    symbols, gap_before, spaced = [], [], False
    for c in fmt:
        if c in "A9*?":
            symbols.append(c)
            gap_before.append(spaced)
            spaced = False
        elif c in " -.":
            spaced = True
        else:  # a line break: the next line starts afresh
            spaced = False
    optional = [i for i, c in enumerate(symbols) if c == "?"]
    out = set()
    for k in range(len(optional) + 1):
        for dropped in itertools.combinations(optional, k):
            kept = [i for i in range(len(symbols)) if i not in dropped]
            pattern = "".join("*" if symbols[i] == "?" else symbols[i] for i in kept)
            gaps = frozenset(n for n, i in enumerate(kept) if gap_before[i] and n > 0)
            out.add((pattern, gaps))
    return out


__all__ = ["LOOKALIKES", "REGIONS", "REGION_NAMES", "PlateSyntax", "plate_syntax", "stray_end"]
