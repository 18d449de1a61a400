"""Render a clean, flat plate from a :class:`~platechar.synth.styles.PlateStyle`.

The result is the plate as printed (no camera yet): its BGR image, its label, the
exact ink box of every character, and a mask of the plate's shape (rounded corners)
so that :mod:`platechar.synth.augment` can composite it onto a background.

Characters are pasted from the glyph cache as alpha masks cut tight to their ink,
so the rectangle a glyph is pasted into *is* that character's box: the boxes are
exact by construction, not measured afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from platechar.alphabet import ALPHABET, DIGITS, LETTERS
from platechar.synth.fonts import (
    CUT_STEM_J,
    MASTER_CAP,
    SQUARE_ZERO,
    FontSpec,
    GlyphCache,
    decoration_fonts,
    default_cache,
)
from platechar.synth.fonts import discover_fonts as _discover_fonts
from platechar.synth.styles import PlateStyle

CUT_STEM_J_SHARE = 0.5
"""Share of the ``J``s drawn as a ``U`` with a cut left stem, one of
:data:`~platechar.synth.fonts.CUT_STEM_J` at random (New Jersey's, New Mexico's ``J``)."""
_CUT_STEM_J_NAMES = tuple(CUT_STEM_J)
SQUARE_ZERO_SHARE = 0.4
"""Share of the ``0``s (those drawn with the font's own ``0``, not a twin's glyph) drawn
as a squarish ring, one of :data:`~platechar.synth.fonts.SQUARE_ZERO` at random (Nevada's,
North Carolina's ``0``)."""
_SQUARE_ZERO_NAMES = tuple(SQUARE_ZERO)


@dataclass
class CleanPlate:
    """A flat plate as printed.

    Attributes:
        image: BGR ``uint8`` (height, width, 3).
        mask: ``uint8`` (height, width), 255 on the plate, 0 outside its rounded corners.
        text: the label, characters of ALPHABET only, in reading order.
        char_boxes: float32 (N, 4) ``x0, y0, x1, y1`` ink bounds per character of
            ``text`` (x1, y1 exclusive), in this image's pixels.
        layout: the text as drawn, gaps/dashes and ``|`` line breaks included.
        style: the style's name.
        font: the font's name.
        ink: the characters' BGR colour; background: the plate's main BGR colour.
        dark_on_light: whether the characters are darker than the plate.
    """

    image: np.ndarray
    mask: np.ndarray
    text: str
    char_boxes: np.ndarray
    layout: str
    style: str
    font: str
    ink: tuple[int, int, int]
    background: tuple[int, int, int]
    dark_on_light: bool


def luminance(bgr) -> float:
    b, g, r = (float(v) for v in bgr)
    return 0.114 * b + 0.587 * g + 0.299 * r


def random_text(fmt: str, rng: np.random.Generator, uniform: bool = False,
                letters: str = LETTERS) -> tuple[str, str]:
    """Fill a format: returns (layout with decorations, label).

    ``uniform=True`` draws every position from all 36 characters (keeping the layout),
    which balances the classes for character datasets. ``letters``: what an ``A`` draws
    from (a style's :attr:`~platechar.synth.styles.PlateStyle.letters`); ``*`` and ``?``
    draw from the digits and these.
    """
    anything = DIGITS + letters
    out, label = [], []
    for sym in fmt:
        if uniform and sym in "A9":
            sym = "*"
        if sym == "A":
            ch = letters[rng.integers(len(letters))]
        elif sym == "9":
            ch = DIGITS[rng.integers(10)]
        elif sym == "*":
            ch = anything[rng.integers(len(anything))]
        elif sym == "?":
            if rng.random() < 0.4:
                continue
            ch = anything[rng.integers(len(anything))]
        else:
            out.append(sym)
            continue
        out.append(ch)
        label.append(ch)
    layout = "".join(out).strip(" ")
    return layout, "".join(label)


def _u(rng: np.random.Generator, r) -> float:
    # the same number as rng.uniform(lo, hi), without its broadcasting machinery (3x faster)
    return r[0] + (r[1] - r[0]) * rng.random() if r[1] > r[0] else float(r[0])


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def _jitter(rng: np.random.Generator, color, amount: float = 10.0) -> np.ndarray:
    c = np.asarray(color, np.float32) + rng.uniform(-amount, amount, 3).astype(np.float32)
    return np.minimum(np.maximum(c, 0.0), 255.0)


def _scalar(color) -> tuple[float, float, float, float]:
    if isinstance(color, np.ndarray):
        color = color.tolist()  # Python floats: much faster to clamp than numpy scalars
    b, g, r = (min(max(float(v), 0.0), 255.0) for v in color[:3])
    return (b, g, r, 0.0)


def blend_color(img: np.ndarray, alpha: np.ndarray, color) -> np.ndarray:
    """``img * (1 - alpha) + color * alpha`` for uint8 BGR ``img`` and uint8 ``alpha``
    (255 = opaque); returns a new image. (cv2 uint8 arithmetic: numpy's float blends
    and broadcast fills were the slowest part of rendering. The colour term is
    ``alpha`` scaled once per channel: OpenCV multiplies an image by a per-channel
    scalar without SIMD, three times slower, for the same bytes.)"""
    a3 = cv2.merge([alpha, alpha, alpha])
    keep = cv2.multiply(img, cv2.bitwise_not(a3), scale=1.0 / 255)
    tint = cv2.merge([cv2.convertScaleAbs(alpha, alpha=c / 255) for c in _scalar(color)[:3]])
    return cv2.add(keep, tint)


def blend_image(img: np.ndarray, top: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``img * (1 - alpha) + top * alpha`` (uint8 images, uint8 alpha); a new image."""
    a3 = cv2.merge([alpha, alpha, alpha])
    keep = cv2.multiply(img, cv2.bitwise_not(a3), scale=1.0 / 255)
    return cv2.add(keep, cv2.multiply(top, a3, scale=1.0 / 255))


def fill(img: np.ndarray, color, x0: int = 0, y0: int = 0, x1: int | None = None,
         y1: int | None = None) -> None:
    """Fill a rectangle (x1, y1 exclusive; the whole image by default) with ``color``."""
    H, W = img.shape[:2]
    x1 = W if x1 is None else x1
    y1 = H if y1 is None else y1
    if x1 > x0 and y1 > y0:
        cv2.rectangle(img, (int(x0), int(y0)), (int(x1) - 1, int(y1) - 1), _scalar(color), -1)


def paste(img: np.ndarray, alpha: np.ndarray, x: int, y: int, color, opacity: float = 1.0):
    """Blend ``color`` into uint8 ``img`` through uint8 ``alpha`` placed at (x, y); clips."""
    h, w = alpha.shape
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x]
    if opacity != 1.0:
        a = cv2.convertScaleAbs(a, alpha=opacity)
    img[y0:y1, x0:x1] = blend_color(img[y0:y1, x0:x1], np.ascontiguousarray(a), color)


def rounded_rect(img, x0, y0, x1, y1, r, color, thickness=-1, line=cv2.LINE_AA):
    """Draw a rounded rectangle (filled when thickness < 0) with integer corners."""
    x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)
    r = int(max(0, min(r, (x1 - x0) // 2, (y1 - y0) // 2)))
    if r == 0:
        cv2.rectangle(img, (x0, y0), (x1, y1), color, thickness, line)
        return
    if thickness < 0:  # integer, axis-aligned: no edge to smooth, and LINE_8 fills 2x faster
        cv2.rectangle(img, (x0 + r, y0), (x1 - r, y1), color, -1, cv2.LINE_8)
        cv2.rectangle(img, (x0, y0 + r), (x1, y1 - r), color, -1, cv2.LINE_8)
    else:  # straight sides as filled bars: an axis-aligned edge needs no smoothing
        a, b = thickness // 2, (thickness - 1) // 2  # the bar is `thickness` px wide
        cv2.rectangle(img, (x0 + r, y0 - a), (x1 - r, y0 + b), color, -1, cv2.LINE_8)
        cv2.rectangle(img, (x0 + r, y1 - a), (x1 - r, y1 + b), color, -1, cv2.LINE_8)
        cv2.rectangle(img, (x0 - a, y0 + r), (x0 + b, y1 - r), color, -1, cv2.LINE_8)
        cv2.rectangle(img, (x1 - a, y0 + r), (x1 + b, y1 - r), color, -1, cv2.LINE_8)
    for cx, cy, ang in ((x0 + r, y0 + r, 180), (x1 - r, y0 + r, 270),
                        (x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90)):
        cv2.ellipse(img, (cx, cy), (r, r), ang, 0, 90, color, thickness, line)


def _fonts_for(style: PlateStyle, fonts: tuple[FontSpec, ...]) -> tuple[FontSpec, ...]:
    if not style.fonts:
        return fonts
    pref = tuple(f for f in fonts if any(p.lower() in f.name.lower() for p in style.fonts))
    return pref or fonts


def _background(img, style, base, rng):
    H, W = img.shape[:2]
    kind = _pick(rng, style.background_kind)
    if kind == "plain":
        fill(img, base)
        return
    # Vertical (sometimes horizontal) gradient between base and a shifted tone.
    other = np.minimum(np.maximum(base + rng.uniform(-45, 25, 3).astype(np.float32), 0), 255)
    if rng.random() < 0.75:
        t = (np.arange(H, dtype=np.float32) * (1.0 / max(1, H - 1)))[:, None, None]
    else:
        t = (np.arange(W, dtype=np.float32) * (1.0 / max(1, W - 1)))[None, :, None]
    t = t ** _u(rng, (0.6, 2.0))
    ramp = np.minimum(np.maximum(base * (1 - t) + other * t, 0), 255).astype(np.uint8)
    img[:] = cv2.resize(ramp, (W, H), interpolation=cv2.INTER_NEAREST)
    if kind != "scenery":
        return
    # Soft scenery: hills, a sun, stripes, a faint emblem; muted so characters stay legible.
    layer = img.copy()
    for _ in range(int(rng.integers(1, 4))):
        what = rng.random()
        col = tuple(float(v) for v in rng.uniform(60, 250, 3))
        if what < 0.45:  # hills / mountains along the bottom
            n = int(rng.integers(3, 9))
            xs = np.linspace(-0.05 * W, 1.05 * W, n)
            ys = H * rng.uniform(0.45, 0.9, n)
            pts = np.concatenate([np.stack([xs, ys], 1), [[1.05 * W, H], [-0.05 * W, H]]])
            cv2.fillPoly(layer, [pts.astype(np.int32)], col, cv2.LINE_AA)
        elif what < 0.65:  # sun / disc
            c = (int(rng.uniform(0, W)), int(rng.uniform(0, H)))
            cv2.circle(layer, c, int(H * rng.uniform(0.15, 0.5)), col, -1, cv2.LINE_AA)
        elif what < 0.85:  # a coloured stripe (top or bottom)
            y = int(H * (rng.uniform(0.0, 0.18) if rng.random() < 0.5 else rng.uniform(0.8, 0.9)))
            cv2.rectangle(layer, (0, y), (W, y + int(H * rng.uniform(0.06, 0.15))), col, -1)
        elif what < 0.93:  # a big faint emblem
            c = (int(W * rng.uniform(0.3, 0.7)), int(H * rng.uniform(0.4, 0.6)))
            axes = (int(H * rng.uniform(0.2, 0.5)), int(H * rng.uniform(0.2, 0.45)))
            cv2.ellipse(layer, c, axes, float(rng.uniform(0, 180)), 0, 360, col, -1, cv2.LINE_AA)
        else:  # a tall graphic at one side (a tree, a cactus, a lighthouse)
            side = rng.uniform(0.02, 0.15) if rng.random() < 0.5 else rng.uniform(0.85, 0.98)
            x = int(W * side)
            bw = int(W * rng.uniform(0.03, 0.07))
            cv2.rectangle(layer, (x - bw // 2, int(H * 0.35)), (x + bw // 2, H), col, -1)
            cv2.ellipse(layer, (x, int(H * 0.35)), (bw * 2, int(H * 0.18)), 0, 0, 360, col, -1,
                        cv2.LINE_AA)
    a = _u(rng, (0.3, 0.7))
    cv2.addWeighted(layer, a, img, 1 - a, 0, dst=img)


def _glyph_name(sym: str, drawn: dict, rng: np.random.Generator) -> str | None:
    """The glyph a plate symbol is drawn with: its own, the style's stand-in, or now and
    then a variant (a ``J`` with a cut stem, a squarish ``0``); ``None`` for a space,
    dash or dot."""
    if sym not in ALPHABET:
        return None
    glyph = drawn.get(sym, sym)
    if sym == "J" and rng.random() < CUT_STEM_J_SHARE:
        glyph = _CUT_STEM_J_NAMES[int(rng.integers(1, len(_CUT_STEM_J_NAMES) + 1)) - 1]
    elif glyph == "0" and rng.random() < SQUARE_ZERO_SHARE:
        glyph = _SQUARE_ZERO_NAMES[int(rng.integers(len(_SQUARE_ZERO_NAMES)))]
    return glyph


def _laid_out(line, glyphs, cache, font, cap, width, bold, gap) -> tuple[list, float]:
    """A line's pieces, in order: ``(symbol, alpha mask)`` for a character, ``(symbol,
    width in px)`` for a space, dash or dot; and their total width without spacing."""
    pieces, total = [], 0.0
    for sym, glyph in zip(line, glyphs, strict=True):
        if glyph is not None:
            a, _top = cache.glyph(font, glyph, cap, width, bold)
            pieces.append((sym, a))
            total += a.shape[1]
        else:
            w = {" ": gap, "-": 0.45, ".": 0.25}.get(sym, 0.3) * cap
            pieces.append((sym, w))
            total += w
    return pieces, total


def _stacked_pair(layer, cache, font, boxes, cap, width, bold, rng) -> None:
    """Draw two small characters, one above the other, beside the line's first or last
    character, into the characters' alpha ``layer`` (same ink and emboss). They span the
    line's height, as a county number or a plate-type code does; the label leaves them
    out (see ``PlateStyle.stacked``). Skipped when neither side has room on the plate."""
    H, W = layer.shape
    small = max(4, int(round(cap * _u(rng, (0.36, 0.44)))))
    pair = "".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), 2))
    masks = [cache.glyph(font, c, small, width, bold)[0] for c in pair]
    w = max(m.shape[1] for m in masks)
    gap = cap * _u(rng, (0.1, 0.3))
    line = np.asarray(boxes)
    x_right = int(round(line[:, 2].max() + gap))
    x_left = int(round(line[:, 0].min() - gap - w))
    sides = [x for x in (x_right, x_left) if 0.015 * W <= x and x + w <= 0.985 * W]
    if not sides:
        return
    x = sides[0] if len(sides) == 1 or rng.random() < 0.5 else sides[1]
    top, bottom = int(line[:, 1].min()), int(line[:, 3].max())
    for mask, y in ((masks[0], top), (masks[1], bottom - masks[1].shape[0])):
        y0, y1 = max(y, 0), min(y + mask.shape[0], H)
        x1 = min(x + mask.shape[1], W)
        if y1 > y0 and x1 > x:
            sub = layer[y0:y1, x:x1]
            np.maximum(sub, mask[y0 - y:y1 - y, :x1 - x], out=sub)


def _word(img, cache, text, cap, x_center, y_top, color, rng, max_w, font=None, align="c"):
    """Draw a decoration word; returns its (x0, y0, x1, y1) or None."""
    if not text or cap < 4:
        return None
    font = font or _pick(rng, decoration_fonts())
    alpha, top = cache.glyph(font, text, cap, _u(rng, (0.8, 1.05)), fit=False)
    if alpha.shape[1] > max_w:
        alpha = cv2.resize(alpha, (max(1, int(max_w)), alpha.shape[0]),
                           interpolation=cv2.INTER_AREA)
    x = int(round(x_center - alpha.shape[1] / 2)) if align == "c" else int(x_center)
    y = int(round(y_top + top))
    paste(img, alpha, x, y, color)
    return (x, y, x + alpha.shape[1], y + alpha.shape[0])


def render_plate(style: PlateStyle, rng: np.random.Generator, height: int = 64,
                 fonts: tuple[FontSpec, ...] | None = None,
                 cache: GlyphCache | None = None, text: str | None = None,
                 uniform_chars: bool = False) -> CleanPlate:
    """Draw one plate of ``style``, ``height`` pixels tall.

    Args:
        style: what to draw.
        rng: every random choice comes from it (same state, same plate).
        height: plate height in pixels; the width follows from the style's aspect.
        fonts: fonts to choose from (default: :func:`discover_fonts`).
        cache: glyph cache (default: the process-wide one).
        text: force this layout (symbols as in a filled format: characters of
            ALPHABET, ``" "``, ``"-"``, ``"."``, ``"|"``) instead of drawing one.
    """
    cache = cache or default_cache()
    fonts = _fonts_for(style, fonts or _discover_fonts())
    H = int(height)
    W = int(round(_u(rng, style.aspect) * H))
    base = _jitter(rng, _pick(rng, style.backgrounds), 12)
    ink = _jitter(rng, _pick(rng, style.inks), 12)
    img = np.empty((H, W, 3), np.uint8)
    _background(img, style, base, rng)

    # Where the characters may go: the plate minus margins and any band.
    left, right, top = 0.05 * W, 0.95 * W, 0.0
    band = style.band
    if band is not None:
        bcol = _jitter(rng, _pick(rng, band.colors), 8)
        caption = _pick(rng, band.texts)
        if band.side == "left":
            bw = int(round(_u(rng, band.size) * W))
            fill(img, bcol, 0, 0, bw, H)
            if band.stars:
                c, r = (bw / 2, H * 0.3), min(bw * 0.32, H * 0.2)
                for k in range(12):
                    a = 2 * np.pi * k / 12
                    p = (int(c[0] + r * np.cos(a)), int(c[1] + r * np.sin(a)))
                    cv2.circle(img, p, max(1, int(H * 0.018)), (0, 204, 255), -1, cv2.LINE_AA)
            _word(img, cache, caption, int(H * 0.2), bw / 2, H * 0.62, band.text_color, rng,
                  bw * 0.85, font=decoration_fonts()[1])
            left = bw + 0.04 * W
        else:  # top band (Mercosur)
            bh = int(round(_u(rng, band.size) * H))
            fill(img, bcol, 0, 0, W, bh)
            _word(img, cache, caption, int(bh * 0.55), W / 2, bh * 0.22, band.text_color, rng,
                  W * 0.5, font=decoration_fonts()[1])
            fx = int(W * 0.9)  # a little flag on the right, an emblem on the left
            cv2.rectangle(img, (fx, int(bh * 0.2)), (fx + int(bh * 0.9), int(bh * 0.8)),
                          (40, 160, 40), -1)
            cv2.circle(img, (int(W * 0.06), bh // 2), int(bh * 0.3), (230, 230, 230), -1,
                       cv2.LINE_AA)
            top = bh

    dark_on_light = luminance(ink) < luminance(base)
    sticker_w = 0
    if style.stickers and rng.random() < style.stickers:
        for corner in range(int(rng.integers(1, 3))):
            sw, sh = int(H * _u(rng, (0.2, 0.3))), int(H * _u(rng, (0.13, 0.2)))
            sticker_w = max(sticker_w, sw)
            sx = int(W * 0.04) if corner == 0 else int(W * 0.96) - sw
            if rng.random() < 0.5:
                sx = int(W * 0.96) - sw if corner == 0 else int(W * 0.04)
            sy = int(H * _u(rng, (0.05, 0.1)))
            col = tuple(float(v) for v in rng.uniform(30, 255, 3))
            cv2.rectangle(img, (sx, sy), (sx + sw, sy + sh), col, -1)
            tcol = (0, 0, 0) if luminance(col) > 128 else (255, 255, 255)
            _word(img, cache, f"{int(rng.integers(0, 100)):02d}", int(sh * 0.6), sx + sw / 2,
                  sy + sh * 0.2, tcol, rng, sw * 0.9, font=decoration_fonts()[-1])

    # --- vertical layout of the text lines ----------------------------------------
    if text is None:
        layout, label = random_text(_pick(rng, style.formats), rng, uniform_chars,
                                    style.letters)
    else:
        layout = text
        label = "".join(c for c in text if c in ALPHABET)
    lines = layout.split("|")
    font = _pick(rng, fonts)
    bold = int(rng.integers(style.bold[0], style.bold[1] + 1))
    emboss = rng.random() < style.emboss
    if len(lines) == 1:
        centres = [H * _u(rng, style.text_y)]
        line_cap = [H * _u(rng, style.char_height)]
    else:
        share = (H - top) / 2
        ch = share * _u(rng, style.char_height)
        centres = [top + share * _u(rng, (0.58, 0.64)), top + share * _u(rng, (1.42, 1.48))]
        line_cap = [ch * _u(rng, (0.8, 1.0)), ch]
    text_top = centres[0] - line_cap[0] / 2
    text_bottom = centres[-1] + line_cap[-1] / 2

    # --- small print above and below the characters ---------------------------------
    small_ink = [ink if c is None else np.asarray(c, np.float32) for c in style.header_colors]
    if style.headers and rng.random() < style.header_p:
        y0 = top + H * 0.035
        cap = int(min(H * _u(rng, (0.13, 0.2)), text_top - H * 0.03 - y0))
        _word(img, cache, _pick(rng, style.headers), cap,
              W / 2 + _u(rng, (-0.06, 0.06)) * W, y0, _pick(rng, small_ink), rng,
              W * 0.9 - 2 * sticker_w)
    if style.footers and rng.random() < style.footer_p:
        y0 = text_bottom + H * _u(rng, (0.025, 0.05))
        cap = int(min(H * _u(rng, (0.09, 0.12)), H * 0.95 - y0))
        _word(img, cache, _pick(rng, style.footers), cap, W / 2, y0,
              _pick(rng, small_ink), rng, 0.85 * W)

    # --- the characters ----------------------------------------------------------
    width = _u(rng, style.char_width)
    spacing = _u(rng, style.spacing)
    gap = _u(rng, style.gap)
    avail = right - left
    boxes: list[tuple[int, int, int, int]] = []
    shadow = ink * 0.35 if dark_on_light else base * 0.45
    jitter_x = _u(rng, (-0.04, 0.04)) * W
    layer = np.zeros((H, W), np.uint8)  # the characters' alpha, blended once at the end
    emboss_off = 0
    drawn = dict(style.glyphs)  # the glyph each character is drawn with, where not its own
    for line, cy, cap in zip(lines, centres, line_cap, strict=True):
        cap = max(6, int(round(cap)))
        # Fit the line in the space: predict its width from the masters' proportions,
        # squeeze the font (down to 0.5) and only then shrink the height.
        ink_w = sum(cache.master(font, drawn.get(c, c)).mask.shape[1]
                    for c in line if c in ALPHABET) / MASTER_CAP
        deco_w = sum({" ": gap, "-": 0.45, ".": 0.25}.get(c, 0.0) for c in line)
        n_sp = max(0, len(line) - 1) * spacing
        need = cap * (ink_w * width + deco_w + n_sp)
        if need > avail * 0.95:
            f = avail * 0.95 / need
            if width * f >= 0.5:
                width *= f
            else:
                # width 0.5 and a smaller cap: cap * (ink_w*0.5 + deco_w + n_sp) = 0.95 avail
                cap = max(6, int(avail * 0.95 / (ink_w * 0.5 + deco_w + n_sp)))
                width = 0.5
        # The glyph each symbol is drawn with is chosen once, so a re-fit below redraws the
        # same ones (and takes nothing more from rng).
        glyphs = [_glyph_name(sym, drawn, rng) for sym in line]
        for fits in range(4):
            pieces, total = _laid_out(line, glyphs, cache, font, cap, width, bold, gap)
            total += spacing * cap * (len(pieces) - 1)
            if total <= avail * 0.97 or fits == 3:
                break
            # The fit above is predicted from the font masters' proportions; bold strokes
            # and the glyph cache's 10% width steps drew a third of the lines wider than
            # that (388 of 1,106 lines of generate_plates(1000, seed=7): the lines this
            # loop draws twice), up to the plate's sides. Real plates keep their margins,
            # so the line is drawn again, smaller. Smaller, not narrower: squeezed, the
            # characters came out narrower than on real plates (width / height, python
            # benchmarks/bench_spacing.py: us 0.42, eu 0.54, br 0.63 against the real
            # 0.43, 0.59, 0.66; made smaller they are 0.44, 0.59, 0.66).
            cap = max(6, int(cap * avail * 0.95 / total))
        x = left + (avail - total) / 2 + jitter_x
        x = min(max(x, left - 0.03 * W), right - total + 0.03 * W)
        y0 = int(round(cy - cap / 2))
        for sym, p in pieces:
            if isinstance(p, np.ndarray):
                xi = int(round(x))
                gh, gw = p.shape
                bx0, by0, bx1, by1 = max(xi, 0), max(y0, 0), min(xi + gw, W), min(y0 + gh, H)
                if bx1 > bx0 and by1 > by0:
                    sub = layer[by0:by1, bx0:bx1]
                    np.maximum(sub, p[by0 - y0:by1 - y0, bx0 - xi:bx1 - xi], out=sub)
                boxes.append((bx0, by0, max(bx1, bx0 + 1), max(by1, by0 + 1)))
                x += p.shape[1] + spacing * cap
                continue
            if sym == "-":
                t = max(1, int(cap * 0.1))
                cv2.rectangle(img, (int(x + 0.05 * p), y0 + cap // 2 - t // 2),
                              (int(x + 0.9 * p), y0 + cap // 2 + t // 2), ink.tolist(), -1)
            elif sym == ".":
                cv2.circle(img, (int(x + p / 2), y0 + cap // 2), max(1, int(cap * 0.07)),
                           ink.tolist(), -1, cv2.LINE_AA)
            elif sym == " " and p > 0.45 * cap and rng.random() < 0.12:
                # an emblem in the gap (a state outline, a heart, a logo)
                col = tuple(float(v) for v in rng.uniform(30, 220, 3))
                r = int(min(p * 0.4, cap * 0.35))
                cx, cyy = int(x + p / 2), y0 + cap // 2
                if rng.random() < 0.5:
                    cv2.circle(img, (cx, cyy), r, col, -1, cv2.LINE_AA)
                else:
                    pts = np.array([[cx - r, cyy - r], [cx + r, cyy - r // 2],
                                    [cx + r // 2, cyy + r], [cx - r, cyy + r // 2]])
                    cv2.fillPoly(img, [pts.astype(np.int32)], col, cv2.LINE_AA)
            x += p + spacing * cap
        if emboss:
            emboss_off = max(emboss_off, 1, cap // 24)
    if style.stacked and len(lines) == 1 and boxes and rng.random() < style.stacked:
        _stacked_pair(layer, cache, font, boxes, cap, width, bold, rng)
    # blend only where the characters are (their bounding rect, plus the emboss offset)
    lx, ly, lw, lh = cv2.boundingRect(layer)
    o = emboss_off
    lx1, ly1 = min(W, lx + lw + o), min(H, ly + lh + o)
    if lw and lh:
        sub = img[ly:ly1, lx:lx1]
        lay = layer[ly:ly1, lx:lx1]
        if o:
            shifted = np.zeros_like(lay)
            shifted[o:, o:] = lay[:-o, :-o]
            sub = blend_color(sub, cv2.convertScaleAbs(shifted, alpha=0.6), shadow)
        img[ly:ly1, lx:lx1] = blend_color(sub, np.ascontiguousarray(lay), ink)

    # --- border, holes, shape -----------------------------------------------------
    radius = int(H * _u(rng, style.corner_radius))
    if rng.random() < style.border:
        t = max(1, int(round(H * _u(rng, style.border_width))))
        bc = _pick(rng, style.border_colors)
        bc = ink if bc is None else np.asarray(bc, np.float32)
        inset = t // 2 + max(1, int(H * 0.02))
        rounded_rect(img, inset, inset, W - 1 - inset, H - 1 - inset, max(0, radius - inset),
                     bc.tolist(), t)
    if style.holes and rng.random() < style.holes:
        hole = np.clip(base * 0.45, 0, 255).tolist()
        r = max(1, int(H * 0.035))
        xs = (int(W * 0.25), int(W * 0.75)) if rng.random() < 0.6 else (int(W * 0.5),)
        for hx in xs:
            for hy in (int(H * 0.09), int(H * 0.91)):
                cv2.ellipse(img, (hx, hy), (int(r * 1.6), r), 0, 0, 360, hole, -1, cv2.LINE_AA)
    mask = np.zeros((H, W), np.uint8)
    rounded_rect(mask, 0, 0, W - 1, H - 1, radius, 255, -1)

    return CleanPlate(
        image=img, mask=mask, text=label,
        char_boxes=np.asarray(boxes, np.float32).reshape(-1, 4),
        layout=layout, style=style.name, font=font.name,
        ink=tuple(int(v) for v in ink), background=tuple(int(v) for v in base),
        dark_on_light=bool(dark_on_light),
    )
