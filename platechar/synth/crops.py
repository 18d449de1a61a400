"""One realistic plate crop: render a plate, put it through a camera, keep the truth."""

from __future__ import annotations

import numpy as np

from platechar.errors import PlatecharError
from platechar.synth.augment import (
    AugmentConfig,
    camera,
    car_background,
    composite,
    draw_frame,
    frame_insets,
    lighting,
    plate_homography,
    transform_boxes,
    transform_points,
    xyxy_to_xywh,
)
from platechar.synth.fonts import FontSpec, GlyphCache
from platechar.synth.render import render_plate
from platechar.synth.samples import PlateSample
from platechar.synth.styles import PlateStyle

FITS = ("stretch", "pad")


def parse_size(size) -> tuple[int, int] | None:
    """``None``, ``(w, h)`` or ``"WxH"`` -> ``(w, h)``; checked to be 8..4096 pixels."""
    if size is None:
        return None
    if isinstance(size, str):
        try:
            w, h = (int(v) for v in size.lower().split("x"))
        except ValueError:
            raise PlatecharError(
                f"size must look like 128x32 (WIDTHxHEIGHT), got {size!r}"
            ) from None
    else:
        try:
            w, h = (int(v) for v in size)
        except (TypeError, ValueError):
            raise PlatecharError(f"size must be (width, height), got {size!r}") from None
    if not (8 <= w <= 4096 and 8 <= h <= 4096):
        raise PlatecharError(f"size {w}x{h} out of range: width and height must be 8..4096")
    return w, h


def make_crop(style: PlateStyle, rng: np.random.Generator, cfg: AugmentConfig,
              size: tuple[int, int] | None = None, fit: str = "stretch",
              fonts: tuple[FontSpec, ...] | None = None, cache: GlyphCache | None = None,
              uniform_chars: bool = False, index: int = 0) -> PlateSample:
    """A plate crop as a plate detector would cut it from a photo.

    Args:
        style: the plate style.
        rng: all randomness (same state, same crop).
        cfg: the realism to apply.
        size: ``(width, height)`` of the output; ``None`` keeps the plate's own shape
            with a plate width drawn from ``cfg.plate_width``.
        fit: with a ``size``: ``"stretch"`` the crop window to it (as a recogniser's
            resize does) or ``"pad"`` the window with background to its aspect first.
        uniform_chars: draw characters uniformly over the 36 classes.
    """
    if fit not in FITS:
        raise PlatecharError(f"fit must be one of {FITS}, got {fit!r}")
    margins = []
    for _ in range(4):  # top, right, bottom, left, in plate heights
        m = cfg.margin.draw(rng)
        margins.append(0.06 if m is None else m)
    mt, mr, mb, ml = margins
    aspect = 0.5 * (style.aspect[0] + style.aspect[1])
    if size is not None:
        plate_h_out = size[1] / (1.0 + max(mt, 0) + max(mb, 0))
        if fit == "stretch":  # the plate ends up as wide as the window: use the wider scale
            plate_h_out = max(plate_h_out, size[0] / (1.0 + max(ml, 0) + max(mr, 0)) / aspect)
    else:
        pw = cfg.plate_width.draw(rng) or 200.0
        plate_h_out = pw / aspect
    res = cfg.resolution.draw(rng)
    k = res if res else float(rng.uniform(1.0, 1.4))
    render_h = min(max(round(plate_h_out * k), 12), 240)
    plate = render_plate(style, rng, render_h, fonts, cache, uniform_chars=uniform_chars)
    H, W = plate.image.shape[:2]

    Mp = plate_homography(W, H, rng, cfg)
    corners = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    quad = transform_points(Mp, corners)
    boxes = transform_boxes(Mp, plate.char_boxes)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    wx0, wy0, wx1, wy1 = x0 - ml * H, y0 - mt * H, x1 + mr * H, y1 + mb * H
    if len(boxes):  # never cut a character, whatever the margins say
        pad = 1.5 * k
        wx0, wy0 = min(wx0, boxes[:, 0].min() - pad), min(wy0, boxes[:, 1].min() - pad)
        wx1, wy1 = max(wx1, boxes[:, 2].max() + pad), max(wy1, boxes[:, 3].max() + pad)
    if size is not None and fit == "pad":
        want = size[0] / size[1]
        ww, wh = wx1 - wx0, wy1 - wy0
        if ww / wh < want:
            extra = wh * want - ww
            t = rng.uniform(0.3, 0.7)
            wx0, wx1 = wx0 - extra * t, wx1 + extra * (1 - t)
        else:
            extra = ww / want - wh
            t = rng.uniform(0.3, 0.7)
            wy0, wy1 = wy0 - extra * t, wy1 + extra * (1 - t)
    if size is not None:
        out_w, out_h = size
        sx, sy = out_w / (wx1 - wx0), out_h / (wy1 - wy0)
    else:
        sx = sy = 1.0 / k
        out_w = max(8, int(round((wx1 - wx0) * sx)))
        out_h = max(8, int(round((wy1 - wy0) * sy)))
    S = np.array([[sx, 0, -wx0 * sx], [0, sy, -wy0 * sy], [0, 0, 1]], np.float64)
    M = S @ Mp

    img = car_background(out_h, out_w, rng)
    composite(img, plate.image, plate.mask, M)
    quad_out = transform_points(M, corners)
    occ = cfg.occlusion.draw(rng)
    if occ:
        plate_h_px = float(np.linalg.norm(quad_out[3] - quad_out[0]))
        insets = frame_insets(plate.char_boxes, W, H, occ, rng)
        draw_frame(img, quad_out, plate_h_px, insets, rng)
    img = lighting(img, rng, cfg)
    img = camera(img, rng, cfg)
    # S only scales and shifts, so the boxes' bounds move with it exactly
    moved = boxes * np.float32([sx, sy, sx, sy]) + np.float32([S[0, 2], S[1, 2]] * 2)
    char_boxes = xyxy_to_xywh(moved, out_w, out_h)
    return PlateSample(
        image=img, text=plate.text, char_boxes=char_boxes, quad=quad_out, style=plate.style,
        layout=plate.layout, font=plate.font, dark_on_light=plate.dark_on_light, index=index,
    )
