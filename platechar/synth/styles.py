"""Plate styles: small declarative descriptions of what a kind of plate looks like.

A :class:`PlateStyle` says *what* a plate is (its shape, text format, colours, border
and decorations); :mod:`platechar.synth.render` turns one into pixels. Every number
that varies is a ``(low, high)`` range drawn uniformly per plate, every choice a tuple
drawn from uniformly, so one style yields endless different plates.

Text formats use one symbol per position:

====  =====================================================================
``A``  a letter A-Z          (part of the label)
``9``  a digit 0-9           (part of the label)
``*``  a letter or a digit   (part of the label)
``?``  optional: a letter or digit, or nothing (vanity plates of varying length)
`` ``  a visual gap          (not part of the label)
``-``  a dash                (decoration, not part of the label)
``.``  a small dot/bullet    (decoration, not part of the label)
``|``  line break            (two-line plates; the label reads top line then bottom)
====  =====================================================================

Labels therefore only ever hold characters of :data:`platechar.ALPHABET`.

Add a style by building a :class:`PlateStyle` and passing it to :func:`register_style`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from platechar.alphabet import ALPHABET, LETTERS
from platechar.errors import PlatecharError

BGR = tuple[int, int, int]
Range = tuple[float, float]

LABEL_SYMBOLS = "A9*?"
DECOR_SYMBOLS = " -.|"


@dataclass(frozen=True)
class Band:
    """A coloured band along one side, like the EU blue strip or the Mercosur header.

    ``side`` is ``"left"`` or ``"top"``; ``size`` the fraction of the plate width
    (left) or height (top) it covers; ``texts`` short captions drawn in it (one chosen
    per plate; ``""`` for none); ``stars`` draws a ring of small stars (EU flag).
    """

    side: str = "left"
    size: Range = (0.08, 0.10)
    colors: tuple[BGR, ...] = ((153, 51, 0),)
    text_color: BGR = (255, 255, 255)
    texts: tuple[str, ...] = ("",)
    stars: bool = False


@dataclass(frozen=True)
class PlateStyle:
    """Everything that defines one kind of plate.

    Attributes:
        name: registry key.
        aspect: plate width / height range.
        formats: text formats (see module doc), one drawn per plate.
        char_height: character height as a fraction of plate height (of the line's
            share of it, for two-line plates).
        char_width: horizontal squeeze applied to the font (1 = as designed;
            plates usually use condensed type, 0.6-0.85).
        spacing: gap between characters as a fraction of the character height.
        gap: width of a ``" "`` gap as a fraction of the character height.
        text_y: vertical centre of the text block as a fraction of plate height.
        backgrounds: plate background colours (BGR).
        inks: character colours (BGR).
        background_kind: ``"plain"``, ``"gradient"`` or ``"scenery"`` (soft shapes,
            the graphic US kind); several entries are drawn from uniformly.
        border: probability of a printed border line, its width (fraction of height).
        border_colors: colours of that line (``None`` entries mean "the ink colour").
        corner_radius: corner rounding as a fraction of height.
        band: an optional :class:`Band`.
        headers / footers: small words at the top / bottom (state names, slogans,
            country); ``header_p`` / ``footer_p`` how often each appears.
        header_colors: colours of the small print (``None`` = ink colour).
        stickers: probability of registration stickers in the top corners.
        holes: probability of bolt holes.
        emboss: probability that characters are embossed (a shadow/highlight edge).
        fonts: font name fragments preferred for this style (empty = any); fonts whose
            names contain any fragment are used when present.
        bold: stroke thickening range in master pixels (negative thins).
        glyphs: characters drawn with another character's glyph, ``(label, drawn)``
            pairs, for plate fonts that draw the two alike: Brazil's old plates have a
            bare bar for both ``1`` and ``I`` and one oval for ``0`` and ``O``. The
            label keeps the character (only its place tells them apart).
        stacked: probability of two small characters stacked one above the other beside
            a one-line plate's text, *not* part of the label: many US plates carry such
            a pair (Wyoming's county number, Oregon's ``N/G``, Minnesota's ``H/H``) and
            plate datasets leave them out of their labels, as ``seg_and_ocr``'s do. 0 in
            every built-in style, so the default plates do not change; the CRNN's
            training pool asks for them (``platechar train crnn --stacked``).
        letters: the letters an ``A`` (and the letter share of ``*``/``?``) is drawn
            from; all 26 unless a kind of plate leaves some out.
    """

    name: str
    aspect: Range
    formats: tuple[str, ...]
    char_height: Range = (0.5, 0.6)
    char_width: Range = (0.65, 0.85)
    spacing: Range = (0.06, 0.14)
    gap: Range = (0.3, 0.6)
    text_y: Range = (0.52, 0.56)
    backgrounds: tuple[BGR, ...] = ((245, 245, 245),)
    inks: tuple[BGR, ...] = ((20, 20, 20),)
    background_kind: tuple[str, ...] = ("plain",)
    border: float = 0.5
    border_width: Range = (0.015, 0.035)
    border_colors: tuple[BGR | None, ...] = (None,)
    corner_radius: Range = (0.03, 0.1)
    band: Band | None = None
    headers: tuple[str, ...] = ()
    header_p: float = 0.0
    footers: tuple[str, ...] = ()
    footer_p: float = 0.0
    header_colors: tuple[BGR | None, ...] = (None,)
    stickers: float = 0.0
    holes: float = 0.0
    emboss: float = 0.0
    fonts: tuple[str, ...] = ()
    bold: tuple[int, int] = (0, 0)
    glyphs: tuple[tuple[str, str], ...] = ()
    stacked: float = 0.0
    letters: str = LETTERS
    two_line: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        problems = []
        if not self.formats:
            problems.append("no text formats")
        for f in self.formats:
            bad = set(f) - set(LABEL_SYMBOLS + DECOR_SYMBOLS)
            if bad:
                problems.append(f"format {f!r} has unknown symbols {sorted(bad)}")
            if f.count("|") > 1:
                problems.append(f"format {f!r}: at most two lines")
        if not (0 < self.aspect[0] <= self.aspect[1]):
            problems.append(f"aspect range {self.aspect} must be positive and ordered")
        for pair in self.glyphs:
            if len(pair) != 2 or any(len(c) != 1 or c not in ALPHABET for c in pair):
                problems.append(f"glyphs entry {pair!r} must be two characters of ALPHABET")
        if not self.letters or any(c not in LETTERS for c in self.letters):
            problems.append(f"letters {self.letters!r} must be some of A-Z")
        if self.band is not None and self.band.side not in ("left", "top"):
            problems.append(f"band side {self.band.side!r} must be 'left' or 'top'")
        if problems:
            raise PlatecharError(f"plate style {self.name!r}: " + "; ".join(problems))
        object.__setattr__(self, "two_line", any("|" in f for f in self.formats))


# --- the built-in styles ------------------------------------------------------------

US_STATES = (
    "ALASKA", "Arizona", "California", "COLORADO", "Connecticut", "DELAWARE", "Florida",
    "GEORGIA", "Idaho", "ILLINOIS", "Indiana", "IOWA", "KANSAS", "Kentucky", "MAINE",
    "Maryland", "Massachusetts", "MICHIGAN", "Minnesota", "MISSOURI", "Montana", "NEBRASKA",
    "NEVADA", "New Jersey", "NEW YORK", "NEW MEXICO", "Ohio", "OKLAHOMA", "Oregon",
    "Pennsylvania", "TEXAS", "UTAH", "Vermont", "VIRGINIA", "Washington", "WISCONSIN",
)
US_SLOGANS = (
    "Land of Lincoln", "THE EMPIRE STATE", "Garden State", "GRAND CANYON STATE",
    "Sunshine State", "FAMOUS POTATOES", "Live Free or Die", "THE LONE STAR STATE",
    "America's Dairyland", "Great Lakes", "EVERGREEN STATE", "Pure Michigan",
    "Preserve the Trust", "LAND OF ENCHANTMENT", "Centennial", "Explore",
    "www.visit.gov", "Antique Auto", "Show Me State", "10,000 LAKES",
)

US = PlateStyle(
    name="us",
    aspect=(1.9, 2.1),
    formats=("999 AAA", "AAA 9999", "9AAA999", "AAA-9999", "AA9 9999", "999-AAA", "9A 99999",
             "AAA 999", "99A A99", "AAA.999", "A99 9AA", "*****???", "9999AA", "A999 AAAA",
             "99 AAA99"),
    char_height=(0.42, 0.54),
    char_width=(0.62, 0.9),
    spacing=(0.05, 0.14),
    gap=(0.25, 0.7),
    text_y=(0.52, 0.58),
    backgrounds=((250, 250, 250), (240, 246, 250), (225, 240, 250), (250, 238, 224),
                 (200, 235, 250), (235, 235, 230), (215, 245, 250), (250, 230, 235)),
    inks=((110, 35, 15), (20, 20, 20), (30, 30, 150), (40, 100, 20), (120, 40, 40),
          (80, 20, 20), (25, 25, 60)),
    background_kind=("scenery", "scenery", "gradient", "plain"),
    border=0.5,
    border_colors=(None, (40, 40, 40), (130, 60, 20)),
    corner_radius=(0.04, 0.1),
    headers=US_STATES,
    header_p=0.92,
    footers=US_SLOGANS,
    footer_p=0.7,
    header_colors=(None, (40, 40, 170), (120, 50, 20), (30, 90, 30), (20, 20, 20)),
    stickers=0.6,
    holes=0.7,
    emboss=0.4,
    bold=(-1, 3),
)

EU = PlateStyle(
    name="eu",
    aspect=(4.3, 4.7),
    formats=("AA 999 AA", "AA-999-AA", "AAA 999", "A 9999 A", "AA 9999", "AA 99 AAA",
             "AAA-99-AA", "AAA 99A", "99 AAA 9", "AAA 9999", "A AA 999"),
    # Sized so that the characters fit without being squeezed, spaced as on real plates:
    # on the endtoend/eu photos (the segmented reading's boxes, plates counted right)
    # the gap between neighbours is 0.04 / 0.10 / 0.11 of the character height (5th,
    # 25th, 50th percentile) and the width 0.59 of it; these draw 0.07 / 0.09 / 0.10 and
    # 0.58 (benchmarks/bench_spacing.py; 0.64-0.74 high, 0.6-0.78 wide, 0.05-0.12 apart
    # drew 0.00 / 0.03 / 0.07 and 0.52).
    char_height=(0.62, 0.7),
    char_width=(0.75, 0.95),
    spacing=(0.1, 0.16),
    gap=(0.35, 0.7),
    text_y=(0.5, 0.52),
    backgrounds=((245, 245, 245), (235, 240, 240), (30, 210, 250), (60, 215, 245)),
    inks=((15, 15, 15), (30, 30, 30)),
    background_kind=("plain", "gradient"),
    border=0.8,
    border_width=(0.02, 0.04),
    border_colors=(None,),
    corner_radius=(0.05, 0.12),
    band=Band(side="left", size=(0.07, 0.095), colors=((153, 51, 0), (170, 60, 10)),
              texts=("D", "F", "NL", "I", "B", "P", "E", "SK", "CZ", "A", ""), stars=True),
    holes=0.3,
    emboss=0.6,
    fonts=("Condensed", "Mono", "hershey-duplex", "hershey-simplex-bold"),
    bold=(0, 3),
)

BR = PlateStyle(
    name="br",
    aspect=(3.0, 3.3),
    formats=("AAA-9999", "AAA 9999", "AAA9999"),
    # As EU: on the endtoend/br photos the gaps are 0.05 / 0.09 / 0.12 of the character
    # height and the width 0.66 of it; these draw 0.06 / 0.07 / 0.10 and 0.66
    # (benchmarks/bench_spacing.py measures both). The ranges before (0.52-0.6 high,
    # 0.6-0.75 wide, 0.05-0.1 apart) squeezed the characters to fit: 0.03 / 0.03 / 0.05
    # and 0.51, a third of the gaps under 0.03 where 3% of the real ones are.
    char_height=(0.44, 0.5),
    char_width=(0.8, 1.0),
    spacing=(0.1, 0.16),
    gap=(0.25, 0.5),
    text_y=(0.6, 0.64),
    backgrounds=((200, 200, 200), (190, 192, 195), (215, 215, 210)),
    inks=((25, 25, 25), (40, 40, 40)),
    background_kind=("plain", "gradient"),
    border=0.9,
    border_width=(0.03, 0.05),
    corner_radius=(0.04, 0.08),
    headers=("SAO PAULO", "RIO DE JANEIRO", "CURITIBA", "BELO HORIZONTE", "PR - CURITIBA",
             "SP - CAMPINAS", "MG - UBERLANDIA", "RS - PORTO ALEGRE", "SC - JOINVILLE"),
    header_p=0.95,
    holes=0.5,
    emboss=0.5,
    fonts=("Condensed", "Mono", "hershey"),
    bold=(1, 4),
    glyphs=(("1", "I"), ("0", "O")),
)

MERCOSUR = PlateStyle(
    name="br_mercosur",
    aspect=(3.0, 3.3),
    formats=("AAA9A99",),
    char_height=(0.5, 0.58),
    char_width=(0.62, 0.76),
    spacing=(0.05, 0.1),
    text_y=(0.6, 0.64),
    backgrounds=((245, 245, 245), (238, 240, 240)),
    inks=((20, 20, 20),),
    background_kind=("plain", "gradient"),
    border=0.9,
    border_width=(0.02, 0.035),
    border_colors=((30, 30, 30),),
    corner_radius=(0.05, 0.1),
    band=Band(side="top", size=(0.2, 0.24), colors=((160, 60, 0), (180, 80, 20)),
              texts=("BRASIL", "MERCOSUL", "ARGENTINA", "URUGUAY", "PARAGUAY")),
    holes=0.4,
    emboss=0.4,
    fonts=("Condensed", "Mono", "hershey"),
    bold=(0, 3),
)

TWO_LINE = PlateStyle(
    name="two_line",
    aspect=(1.25, 1.8),
    formats=("AA99|9999", "99A|AA999", "AAA|9999", "A99|999A", "9A9|AAA9", "AA|99999"),
    char_height=(0.62, 0.74),
    char_width=(0.68, 0.9),
    spacing=(0.06, 0.14),
    gap=(0.3, 0.5),
    text_y=(0.5, 0.52),
    backgrounds=((245, 245, 245), (40, 200, 250), (220, 235, 230), (235, 235, 245)),
    inks=((20, 20, 20), (100, 40, 10), (20, 20, 120)),
    background_kind=("plain", "gradient"),
    border=0.85,
    border_width=(0.02, 0.04),
    corner_radius=(0.04, 0.1),
    holes=0.6,
    emboss=0.5,
    bold=(0, 3),
)

DARK = PlateStyle(
    name="dark",
    aspect=(1.9, 3.3),
    formats=("AAA 999", "9AA 999", "AA 9999", "999 AAA", "A99 AAA", "AAA-999", "99-AA-99"),
    char_height=(0.5, 0.62),
    char_width=(0.62, 0.85),
    spacing=(0.06, 0.14),
    gap=(0.3, 0.6),
    text_y=(0.5, 0.55),
    backgrounds=((25, 25, 25), (90, 40, 10), (30, 70, 20), (40, 20, 110), (60, 60, 60),
                 (120, 50, 0)),
    inks=((245, 245, 245), (200, 230, 240), (60, 220, 250), (235, 235, 235)),
    background_kind=("plain", "gradient"),
    border=0.7,
    border_width=(0.015, 0.035),
    border_colors=(None,),
    corner_radius=(0.03, 0.1),
    headers=("GOVERNMENT", "OFFICIAL", "TAXI", "CLASSIC", "COMMERCIAL"),
    header_p=0.35,
    holes=0.5,
    emboss=0.6,
    bold=(0, 3),
)

_REGISTRY: dict[str, PlateStyle] = {}


def register_style(style: PlateStyle) -> None:
    """Make ``style`` available by name (replacing any style of the same name)."""
    if not isinstance(style, PlateStyle):
        raise PlatecharError(f"register_style needs a PlateStyle, not {type(style).__name__}")
    _REGISTRY[style.name] = style


for _s in (US, EU, BR, MERCOSUR, TWO_LINE, DARK):
    register_style(_s)

#: How often each built-in style is drawn when no style is asked for.
DEFAULT_MIX: dict[str, float] = {
    "us": 0.45, "eu": 0.15, "br": 0.1, "br_mercosur": 0.1, "two_line": 0.1, "dark": 0.1,
}


def style_names() -> list[str]:
    """Names of every registered style."""
    return list(_REGISTRY)


def get_style(name: str | PlateStyle) -> PlateStyle:
    """The registered style called ``name`` (a PlateStyle passes through)."""
    if isinstance(name, PlateStyle):
        return name
    try:
        return _REGISTRY[name]
    except KeyError:
        raise PlatecharError(
            f"unknown plate style {name!r}; available: {', '.join(_REGISTRY)}"
        ) from None


def resolve_styles(styles=None) -> tuple[tuple[PlateStyle, ...], tuple[float, ...]]:
    """Turn a user's style choice into (styles, probabilities).

    ``styles`` may be ``None`` (the default mix), a name, a comma-separated string of
    names, a list of names/styles (equal weights) or a ``{name: weight}`` dict.
    """
    if styles is None:
        styles = DEFAULT_MIX
    if isinstance(styles, (str, PlateStyle)):
        styles = [s.strip() for s in styles.split(",")] if isinstance(styles, str) else [styles]
    if isinstance(styles, dict):
        items = list(styles.items())
    else:
        items = [(s, 1.0) for s in styles]
    if not items:
        raise PlatecharError("no plate styles given")
    resolved = tuple(get_style(s) for s, _ in items)
    weights = [float(w) for _, w in items]
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise PlatecharError(f"style weights must be >= 0 and not all 0, got {weights}")
    total = sum(weights)
    return resolved, tuple(w / total for w in weights)
