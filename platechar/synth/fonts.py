"""Fonts for synthetic plates: find them on the machine, render each glyph once.

Three sources, none downloaded:

* matplotlib's bundled DejaVu fonts (``matplotlib.get_data_path()/fonts/ttf``), always
  present because matplotlib is a dependency;
* TrueType/OpenType fonts installed on the machine whose file name says they are a
  plain (upright, non-serif) sans, preferring condensed/narrow/bold cuts;
* OpenCV's Hershey stroke fonts, drawn at several stroke weights; their simple strokes
  look like the stamped dies of many real plates.

Speed comes from :class:`GlyphCache`: each glyph of each font is rendered once, large,
into a tight alpha mask (the "master"); a plate then asks for a glyph at a given cap
height and width factor and gets a small float32 mask resized from the master and
cached. Composing a plate is a handful of numpy blends, no text rendering.

Which fonts exist depends on the machine, so the same seed gives the same images on
the same machine; pass ``fonts="bundled"`` for output that only depends on the
installed matplotlib and OpenCV.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from platechar.alphabet import ALPHABET
from platechar.errors import PlatecharError

#: Height in pixels of the master rendering of every glyph (cap height of "H").
MASTER_CAP = 96
#: Words (state names, slogans, sticker digits) are small print, never drawn taller than
#: about a fifth of a 240-pixel plate: their masters are rendered at half size, which
#: makes a cold cache's first thousand plates about 12% faster.
WORD_MASTER_CAP = 48

#: Characters rendered for decoration text (state names, slogans, sticker digits).
DECOR_CHARS = ALPHABET + "abcdefghijklmnopqrstuvwxyz"

#: Pseudo-glyphs for ``J``: the font's ``U`` with its left stem cut down to this share of
#: its height. Many US plate fonts (New Jersey's, New Mexico's) draw ``J`` so, a ``U`` with
#: a short left hook; no font on the machine does, and trained without them the character
#: CNN read those plates' ``J`` as ``U`` (README, "Character CNN").
CUT_STEM_J = {"J~1": 0.3, "J~2": 0.4, "J~3": 0.5}

#: Pseudo-glyphs for ``0``: a ring shaped as a *superellipse* ``|x/a|^n + |y/b|^n <= 1``
#: with this exponent ``n`` (2 is an ellipse; higher is squarer), in the box and stroke
#: width of the font's own ``0``. US plate fonts (Nevada's, North Carolina's) draw ``0``
#: as a tall rectangle with rounded corners and straight sides; the fonts on the machine
#: draw an oval, and trained without them the character CNN read Nevada's ``0`` as
#: ``D`` (README, "Character CNN").
SQUARE_ZERO = {"0~1": 3.5, "0~2": 5.0}

# Bundled matplotlib fonts suitable for plate characters.
_BUNDLED_TTF = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "DejaVuSansMono-Bold.ttf")
# Bundled fonts used only for decoration text (headers, slogans).
_BUNDLED_DECOR = ("DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-BoldOblique.ttf")

_SYSTEM_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts"),
)
_WANT = re.compile(r"(sans|condensed|narrow|grotesk|gothic|din|oswald|roboto|liberation|arial"
                   r"|helvet|plate|mandatory|schrift|bahn|ubuntu|noto|open|source|fira)", re.I)
_AVOID = re.compile(r"(italic|oblique|serif(?!.*sans)|mono(?!.*bold)|symbol|emoji|math|dings|"
                    r"light|thin|black|cjk|arabic|hebrew|devanagari|mincho|kufi|naskh|"
                    r"condensedlight|extralight|hairline|color)", re.I)

# (cv2 Hershey face, stroke thickness relative to cap height, name)
_HERSHEY = (
    (cv2.FONT_HERSHEY_SIMPLEX, 0.11, "hershey-simplex-bold"),
    (cv2.FONT_HERSHEY_SIMPLEX, 0.075, "hershey-simplex"),
    (cv2.FONT_HERSHEY_DUPLEX, 0.10, "hershey-duplex"),
)


@dataclass(frozen=True)
class FontSpec:
    """One usable font: a TrueType file or a Hershey face at a stroke weight."""

    name: str
    path: str | None = None
    hershey: int | None = None
    stroke: float = 0.0  # Hershey stroke thickness as a fraction of the cap height

    @property
    def kind(self) -> str:
        return "hershey" if self.hershey is not None else "truetype"


def bundled_font_dir() -> Path:
    """matplotlib's folder of bundled TrueType fonts (a path that may not exist when
    matplotlib is missing; then only system and Hershey fonts are used).

    Found without importing matplotlib (``matplotlib.get_data_path()`` is its package's
    ``mpl-data`` folder): the import costs about 0.1 s, in every process that makes plates.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return Path("/nonexistent-matplotlib-fonts")
    return Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf"


def _system_font_files(limit: int = 12) -> list[Path]:
    found: list[Path] = []
    for d in _SYSTEM_DIRS:
        root = Path(os.path.expanduser(d))
        if not root.is_dir():
            continue
        for p in root.rglob("*"):
            if p.suffix.lower() not in (".ttf", ".otf"):
                continue
            if _WANT.search(p.stem) and not _AVOID.search(p.stem):
                found.append(p)
    # Prefer condensed/narrow/bold cuts, then a stable order.
    def rank(p: Path) -> tuple:
        s = p.stem.lower()
        return (not ("condensed" in s or "narrow" in s), "bold" not in s, s)

    unique: dict[str, Path] = {}
    for p in sorted(found, key=rank):
        unique.setdefault(p.stem.lower(), p)
    return list(unique.values())[:limit]


@lru_cache(maxsize=4)
def discover_fonts(source: str = "all") -> tuple[FontSpec, ...]:
    """Fonts usable for plate characters, in a stable order.

    Args:
        source: ``"all"`` (bundled DejaVu + system fonts + Hershey), ``"bundled"``
            (bundled DejaVu + Hershey: the same on every machine) or ``"hershey"``.

    Raises:
        PlatecharError: for an unknown ``source``.
    """
    if source not in ("all", "bundled", "hershey"):
        raise PlatecharError(f"unknown font source {source!r}; use 'all', 'bundled' or 'hershey'")
    specs: list[FontSpec] = []
    if source in ("all", "bundled"):
        base = bundled_font_dir()
        for name in _BUNDLED_TTF:
            if (base / name).is_file():
                specs.append(FontSpec(name=Path(name).stem, path=str(base / name)))
    if source == "all":
        have = {s.name.lower() for s in specs}
        for p in _system_font_files():
            if p.stem.lower() not in have and _usable(str(p)):
                specs.append(FontSpec(name=p.stem, path=str(p)))
    specs.extend(FontSpec(name=n, hershey=f, stroke=t) for f, t, n in _HERSHEY)
    return tuple(specs)


@lru_cache(maxsize=4)
def decoration_fonts() -> tuple[FontSpec, ...]:
    """Fonts for the small print on plates (state names, slogans): bundled only."""
    base = bundled_font_dir()
    specs = [FontSpec(name=Path(n).stem, path=str(base / n)) for n in _BUNDLED_DECOR
             if (base / n).is_file()]
    specs.append(FontSpec(name="hershey-triplex", hershey=cv2.FONT_HERSHEY_TRIPLEX, stroke=0.09))
    specs.append(FontSpec(name="hershey-simplex-small", hershey=cv2.FONT_HERSHEY_SIMPLEX,
                          stroke=0.1))
    return tuple(specs)


def _usable(path: str) -> bool:
    """A font is usable when it draws every character of the alphabet distinctly."""
    try:
        masks = [_render_ttf(path, ch)[0] for ch in "0OAB8"]
    except Exception:  # an unreadable or exotic font file: skip it
        return False
    if any(m.size == 0 or m.max() == 0 for m in masks):
        return False
    shapes = {(m.shape, m.tobytes()) for m in masks}
    return len(shapes) == len(masks)  # "tofu" boxes would all look the same


@lru_cache(maxsize=32)
def _pil_font(path: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def _render_ttf(path: str, text: str, cap: int = MASTER_CAP) -> tuple[np.ndarray, int]:
    """Render ``text`` tight to its ink; returns (mask uint8, top of ink relative to cap top)."""
    from PIL import Image, ImageDraw

    font = _pil_font(path, 100)
    # Measure the cap height of "H" at size 100, then pick the size giving ``cap``.
    hb = font.getbbox("H")
    size = max(8, int(round(100 * cap / max(1, hb[3] - hb[1]))))
    font = _pil_font(path, size)
    hb = font.getbbox("H")
    left, t, r, b = font.getbbox(text)
    pad = cap // 2
    w, h = r - left + 2 * pad, b - min(t, hb[1]) + 2 * pad
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).text((pad - left, pad - min(t, hb[1])), text, font=font, fill=255)
    arr = np.asarray(img)
    cap_top = pad - min(t, hb[1]) + hb[1]
    return _tight(arr, cap_top)


def _render_hershey(face: int, stroke: float, text: str, cap: int = MASTER_CAP):
    thick = max(1, int(round(stroke * cap)))
    scale = _hershey_scale(face, thick, cap)
    (tw, th), base = cv2.getTextSize(text, face, scale, thick)
    pad = cap // 2 + thick
    canvas = np.zeros((th + base + 2 * pad, tw + 2 * pad), np.uint8)
    org = (pad, pad + th)
    cv2.putText(canvas, text, org, face, scale, 255, thick, cv2.LINE_AA)
    # Cap top of "H": the baseline minus the drawn height of "H".
    probe = np.zeros_like(canvas)
    cv2.putText(probe, "H", org, face, scale, 255, thick, cv2.LINE_AA)
    rows = np.flatnonzero(probe.max(axis=1) > 127)
    cap_top = int(rows[0]) if rows.size else pad
    return _tight(canvas, cap_top)


@lru_cache(maxsize=64)
def _hershey_scale(face: int, thick: int, cap: int) -> float:
    """The putText scale whose drawn "H" is ``cap`` pixels tall at this thickness."""
    scale = cap / 22.0
    for _ in range(3):
        canvas = np.zeros((4 * cap, 4 * cap), np.uint8)
        cv2.putText(canvas, "H", (cap, 3 * cap), face, scale, 255, thick, cv2.LINE_AA)
        rows = np.flatnonzero(canvas.max(axis=1) > 127)
        drawn = max(1, int(rows[-1] - rows[0] + 1)) if rows.size else cap
        scale *= cap / drawn
    return scale


def _tight(arr: np.ndarray, cap_top: int) -> tuple[np.ndarray, int]:
    ys = np.flatnonzero(arr.max(axis=1) > 40)
    xs = np.flatnonzero(arr.max(axis=0) > 40)
    if ys.size == 0:
        return np.zeros((0, 0), np.uint8), 0
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    return np.ascontiguousarray(arr[y0:y1, x0:x1]), int(y0 - cap_top)


def _cut_stem(u: _Master, share: float) -> _Master:
    """A ``U`` master whose left 45% is blank above the lowest ``share`` of its height."""
    mask = u.mask.copy()
    h, w = mask.shape
    mask[: int(round(h * (1 - share))), : int(w * 0.45)] = 0
    return _Master(mask, u.top, u.cap)


def _square_ring(zero: _Master, exponent: float) -> _Master:
    """A ring as tall and wide as the ``0`` master, with its stroke width (the first run
    of ink along its middle row: the left side, whatever the font puts inside the ``0``,
    a dot or a slash), shaped as a superellipse."""
    h, w = zero.mask.shape
    middle = zero.mask[h // 2] > 127
    gaps = np.flatnonzero(~middle[np.argmax(middle):])
    stroke = float(np.clip(gaps[0] if gaps.size else w / 4, 2, 0.4 * min(h, w)))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5  # pixel centres ...
    x, y = x - w / 2, y - h / 2  # ... from the box's centre

    def inside(a: float, b: float) -> np.ndarray:
        return np.abs(x / a) ** exponent + np.abs(y / b) ** exponent <= 1

    ring = inside(w / 2, h / 2) & ~inside(max(1.0, w / 2 - stroke), max(1.0, h / 2 - stroke))
    mask = cv2.GaussianBlur(ring.astype(np.uint8) * 255, (3, 3), 0)  # anti-aliased edge
    return _Master(mask, zero.top, zero.cap)


def _quantize(cap: float) -> int:
    """Cap heights in steps of about 6% above 16 px, so that the cache hits."""
    cap = max(4.0, float(cap))
    if cap <= 16:
        return int(round(cap))
    step = math.log(1.06)
    return int(round(math.exp(round(math.log(cap) / step) * step)))


@dataclass
class _Master:
    mask: np.ndarray  # uint8, tight to ink, rendered at ``cap`` cap height
    top: int  # ink top relative to the cap top, at ``cap``
    cap: int = MASTER_CAP


@dataclass
class GlyphCache:
    """Glyph and word masks rendered once per font and scaled on demand.

    ``glyph(font, ch, cap, width)`` returns ``(alpha, top)``: a uint8 mask (255 = ink),
    tight to the ink (so the rectangle it is pasted into *is* the character's box), and
    the ink's top relative to the cap line, both at cap height ``cap`` pixels.
    """

    max_entries: int = 30000  # uint8 masks of ~1 KB: at most ~30 MB
    _masters: dict = field(default_factory=dict)
    _scaled: dict = field(default_factory=dict)

    def master(self, font: FontSpec, text: str) -> _Master:
        key = (font.name, text)
        m = self._masters.get(key)
        if m is None and text in CUT_STEM_J:
            m = self._masters[key] = _cut_stem(self.master(font, "U"), CUT_STEM_J[text])
        if m is None and text in SQUARE_ZERO:
            m = self._masters[key] = _square_ring(self.master(font, "0"), SQUARE_ZERO[text])
        if m is None:
            cap = MASTER_CAP if len(text) == 1 else WORD_MASTER_CAP
            if font.hershey is not None:
                mask, top = _render_hershey(font.hershey, font.stroke, text, cap)
            else:
                mask, top = _render_ttf(font.path, text, cap)
            m = self._masters[key] = _Master(mask, top, cap)
        return m

    def glyph(self, font: FontSpec, text: str, cap: int, width: float = 1.0,
              bold: int = 0, fit: bool = True) -> tuple[np.ndarray, int]:
        """``text`` (a character or a word) at cap height ``cap`` px, widths times ``width``.

        ``bold`` thickens (>0) or thins (<0) the strokes by that many master pixels.
        ``fit=True`` makes the ink exactly ``cap`` pixels tall (plate characters all
        share one height, even a font's descending J or Q); ``fit=False`` keeps the
        font's proportions (words with lower case).
        """
        cap = _quantize(cap)
        wq = int(round(width * 10)) * 2  # widths in steps of 10%
        key = (font.name, text, cap, wq, bold, fit)
        hit = self._scaled.get(key)
        if hit is not None:
            return hit
        m = self.master(font, text)
        s = cap / m.cap
        h = cap if fit else max(1, int(round(m.mask.shape[0] * s)))
        w = max(1, int(round(m.mask.shape[1] * s * wq / 20)))
        # Bilinear, 2x faster than INTER_AREA. The source level (see _source) is at most
        # 1.5x the target's height, but 2-3x its width for squeezed fonts (width 0.5-0.75),
        # where bilinear skips some source columns; the masks are smooth there (strokes
        # several pixels wide) and no synthetic figure fell with it (README, synth speed).
        small = cv2.resize(self._source(font, text, bold, h, w), (w, h),
                           interpolation=cv2.INTER_LINEAR)
        hit = (small, 0 if fit else int(round(m.top * s)))
        if len(self._scaled) >= self.max_entries:
            self._scaled.clear()
        self._scaled[key] = hit
        return hit

    def _source(self, font: FontSpec, text: str, bold: int, h: int, w: int) -> np.ndarray:
        """The smallest pyramid level of the (bold-adjusted) master at least h x w."""
        key = (font.name, text, bold, "pyramid")
        levels = self._masters.get(key)
        if levels is None:
            mask = self.master(font, text).mask
            if bold:
                k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(bold) + 1,) * 2)
                mask = cv2.dilate(mask, k) if bold > 0 else cv2.erode(mask, k)
            levels = [mask]
            while min(levels[-1].shape) > 12:
                m = levels[-1]
                levels.append(cv2.resize(m, (max(1, m.shape[1] * 2 // 3),
                                             max(1, m.shape[0] * 2 // 3)),
                                         interpolation=cv2.INTER_AREA))
            self._masters[key] = levels
        for lv in reversed(levels):
            if lv.shape[0] >= h and lv.shape[1] >= w:
                return lv
        return levels[0]

    def warm(self, fonts: tuple[FontSpec, ...], chars: str = ALPHABET) -> None:
        """Render the masters of ``chars`` for every font now (e.g. before forking workers)."""
        for f in fonts:
            for ch in chars:
                self.master(f, ch)


_DEFAULT_CACHE: GlyphCache | None = None


def default_cache() -> GlyphCache:
    """The process-wide glyph cache."""
    global _DEFAULT_CACHE
    if _DEFAULT_CACHE is None:
        _DEFAULT_CACHE = GlyphCache()
    return _DEFAULT_CACHE


def font_names(source: str = "all") -> list[str]:
    """The names of the fonts :func:`discover_fonts` finds, in its order: what a dataset's
    ``synth.json``, a model's sidecar and a benchmark record, since the same seed draws
    the same plates only with the same fonts."""
    return [f.name for f in discover_fonts(source)]


def describe_fonts(source: str = "all") -> str:
    """One line per font found, for ``platechar synth --list-fonts``."""
    lines = []
    for f in discover_fonts(source):
        where = f.path if f.path else f"OpenCV Hershey face {f.hershey}, stroke {f.stroke:.2f}"
        lines.append(f"{f.name:32s} {where}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(describe_fonts(sys.argv[1] if len(sys.argv) > 1 else "all"))
