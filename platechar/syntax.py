"""Plate syntax: where a region's plates have letters and where they have digits.

A recogniser that reads characters one by one cannot tell ``0`` from ``O`` or ``1``
from ``I`` when a plate font draws them alike; a person reading a Brazilian plate
knows that its first three characters are letters and its last four digits. This
stage brings that knowledge in, as plate readers such as OpenALPR do with their
per-country patterns.

The patterns are the text formats of the synthetic plate styles
(:mod:`platechar.synth.styles`): ``A`` a letter, ``9`` a digit, ``*`` either. A reading
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
from dataclasses import dataclass, replace
from functools import cache, cached_property

from platechar.errors import PlatecharError
from platechar.results import CharReading, PlateReading

LOOKALIKES = ("0ODQU", "1IJTL", "2Z", "5S", "8B", "6G", "4A", "7T")
"""Groups of characters that plate fonts draw nearly alike: only these are swapped."""

REGIONS: dict[str, tuple[tuple[str, ...] | None, float]] = {
    "any": (None, 0.1),
    "us": (("us",), 0.1),
    "eu": (("eu",), 1e-3),
    "br": (("br", "br_mercosur"), 1e-3),
}
"""Region -> (the synthetic styles whose formats are its patterns, ``None`` for all of
them; its strictness). Chosen on the ``endtoend`` photos and ``seg_and_ocr`` crops:
with every style's patterns at 0.1, no set read fewer plates with either backend (the
CRNN of then; today's loses one of 155 held-out crops and gains two Brazilian photos)."""

REGION_NAMES = (*REGIONS, "off")

_DIGITS = frozenset("0123456789")
_ALIKE = {c: frozenset(group) - {c} for group in LOOKALIKES for c in group}


@dataclass(frozen=True)
class PlateSyntax:
    """A region's letter/digit patterns and how firmly its plates follow them."""

    region: str
    patterns: frozenset[str]
    strictness: float

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
        options = [[(c.text, c.confidence)] + [(a, p) for a, p in c.alternatives
                                               if a in _ALIKE.get(c.text, ())]
                   for c in chars]
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

    def fits(self, text: str) -> bool:
        """Whether ``text`` follows one of the region's patterns as it stands."""
        return any(all(_fits(c, kind) for c, kind in zip(text, pattern, strict=True))
                   for pattern in self._by_length.get(len(text), ()))

    def prior(self, text: str) -> float:
        """The prior weight of a plate reading ``text``: 1 when it follows one of the
        patterns, ``strictness`` when it follows none (the odds :meth:`apply` weighs a
        swap against). :meth:`platechar.Reader.rank` orders readings with it."""
        return 1.0 if self.fits(text) else self.strictness

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
def _syntax(region: str) -> PlateSyntax:
    from platechar.synth.styles import get_style, style_names

    names, strictness = REGIONS[region]
    patterns = set()
    for name in names or style_names():
        for fmt in get_style(name).formats:
            patterns |= _expand(fmt)
    # an all-wildcard format (a vanity plate) says nothing about letters and digits
    return PlateSyntax(region, frozenset(p for p in patterns if set(p) != {"*"}), strictness)


def _expand(fmt: str) -> set[str]:
    """A style format's label patterns: ``?`` (optional) present or absent."""
    symbols = [c for c in fmt if c in "A9*?"]
    optional = [i for i, c in enumerate(symbols) if c == "?"]
    out = set()
    for k in range(len(optional) + 1):
        for dropped in itertools.combinations(optional, k):
            out.add("".join("*" if c == "?" else c
                            for i, c in enumerate(symbols) if i not in dropped))
    return out


__all__ = ["LOOKALIKES", "REGIONS", "REGION_NAMES", "PlateSyntax", "plate_syntax", "stray_end"]
