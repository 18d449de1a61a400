"""Scenes: a plate on a car-like shape in a larger picture, for detection tests.

Scaled like real photos: plates 60-300 px wide in scenes 640-1280 px wide. Around them:
a textured or drawn background (sky, road, walls, trees), the car's body, lights,
bumper and wheels, clutter, and *other text* that is not a plate (signs, phone numbers
on the car, a camera timestamp) whose boxes are returned as ``distractors``, so a
detector's false positives can be counted.
"""

from __future__ import annotations

import cv2
import numpy as np

from platechar.alphabet import ALPHABET
from platechar.synth.augment import (
    AugmentConfig,
    camera,
    composite,
    lighting,
    noise_field,
    plate_homography,
    transform_boxes,
    transform_points,
    xyxy_to_xywh,
)
from platechar.synth.fonts import FontSpec, GlyphCache
from platechar.synth.render import render_plate
from platechar.synth.samples import SceneSample
from platechar.synth.styles import PlateStyle

_WORDS = ("PARKING", "EXIT", "STOP", "SALE", "OPEN", "AUTO REPAIR", "NO PARKING", "TAXI",
          "PIZZA", "HOTEL", "BANK", "POLICE", "SERVICE", "CAR WASH", "ONE WAY", "BUS")


def _u(rng, lo, hi):
    return float(rng.uniform(lo, hi))


def _color(rng, lo=0, hi=255):
    return tuple(float(v) for v in rng.uniform(lo, hi, 3))


def _background(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Sky/ground, walls with windows, trees; or a blurred random texture."""
    if rng.random() < 0.3:  # textured: multi-scale blurred noise, tinted
        base = np.asarray(_color(rng, 60, 200), np.float32)
        base = base.mean() + 0.35 * (base - base.mean())  # walls, asphalt: muted colours
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        for scale in (0.2, 0.05, 0.01):  # gray texture (same in B, G, R), tinted by base
            small = noise_field(max(2, int(h * scale)), max(2, int(w * scale)), rng)[..., :1]
            big = cv2.resize(np.ascontiguousarray(small), (w, h), interpolation=cv2.INTER_CUBIC)
            img += big[..., None] * _u(rng, 8, 30)
        return np.clip(img, 0, 255).astype(np.uint8)
    horizon = int(h * _u(rng, 0.2, 0.55))
    img = np.empty((h, w, 3), np.uint8)
    sky = np.asarray(_color(rng, 150, 250), np.float32)
    ground = np.asarray(_color(rng, 60, 150), np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    column = np.where(np.arange(h)[:, None, None] < horizon, sky * (1 - 0.3 * t),
                      ground * (0.8 + 0.3 * t))
    img[:] = cv2.resize(np.clip(column, 0, 255).astype(np.uint8), (w, h),
                        interpolation=cv2.INTER_NEAREST)
    for _ in range(int(rng.integers(1, 5))):  # buildings with windows
        bw, bh = int(w * _u(rng, 0.1, 0.35)), int(horizon * _u(rng, 0.5, 1.0))
        x = int(rng.integers(-bw // 2, w))
        col = _color(rng, 60, 220)
        cv2.rectangle(img, (x, horizon - bh), (x + bw, horizon), col, -1)
        win = _color(rng, 20, 120)
        step = max(8, int(bw * _u(rng, 0.12, 0.25)))
        for wy in range(horizon - bh + step // 2, horizon - step, step):
            for wx in range(x + step // 3, x + bw - step // 2, step):
                cv2.rectangle(img, (wx, wy), (wx + step // 2, wy + step // 2), win, -1)
    for _ in range(int(rng.integers(0, 4))):  # trees
        c = (int(rng.integers(0, w)), horizon - int(rng.integers(0, max(1, horizon // 2))))
        cv2.ellipse(img, c, (int(w * _u(rng, 0.03, 0.08)), int(h * _u(rng, 0.05, 0.12))), 0,
                    0, 360, _color(rng, 20, 110), -1, cv2.LINE_AA)
    for _ in range(int(rng.integers(0, 3))):  # road markings
        y = int(rng.integers(horizon, h))
        cv2.line(img, (0, y), (w, y + int(rng.integers(-h // 8, h // 8))), (230, 230, 230),
                 int(rng.integers(2, 8)), cv2.LINE_AA)
    tex = np.ascontiguousarray(noise_field(h // 4 + 1, w // 4 + 1, rng)[..., 0])
    tex = cv2.resize(tex, (w, h), interpolation=cv2.INTER_LINEAR)[..., None]
    noisy = img.astype(np.float32) + tex * _u(rng, 3, 10)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _text(img, text, org, scale, color, thick, rng) -> tuple[int, int, int, int]:
    face = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX,
            cv2.FONT_HERSHEY_COMPLEX)[int(rng.integers(4))]
    (tw, th), base = cv2.getTextSize(text, face, scale, thick)
    cv2.putText(img, text, org, face, scale, color, thick, cv2.LINE_AA)
    return (org[0], org[1] - th, tw, th + base)


def _car(img, cx, cy, pw, ph, rng) -> tuple[list, tuple[int, int, int]]:
    """Draw a car's rear around a plate centred at (cx, cy); returns text boxes drawn."""
    H, W = img.shape[:2]
    body = _color(rng, 20, 235)
    cw = pw * _u(rng, 5.0, 7.5)
    top = cy - ph * _u(rng, 5.0, 8.0)
    bottom = cy + ph * _u(rng, 1.2, 2.2)
    x0, x1 = int(cx - cw / 2), int(cx + cw / 2)
    r = int(cw * 0.08)
    shape = np.zeros((H, W), np.uint8)  # the body's silhouette, for shading below
    for canvas, col in ((img, body), (shape, 255)):
        cv2.rectangle(canvas, (x0 + r, int(top)), (x1 - r, int(bottom)), col, -1, cv2.LINE_AA)
        cv2.rectangle(canvas, (x0, int(top) + r), (x1, int(bottom)), col, -1, cv2.LINE_AA)
        for cxx in (x0 + r, x1 - r):
            cv2.circle(canvas, (cxx, int(top) + r), r, col, -1, cv2.LINE_AA)
    # rear window
    wy0, wy1 = int(top + (cy - top) * 0.08), int(top + (cy - top) * _u(rng, 0.4, 0.55))
    pts = np.array([[x0 + cw * 0.18, wy0], [x1 - cw * 0.18, wy0], [x1 - cw * 0.1, wy1],
                    [x0 + cw * 0.1, wy1]], np.int32)
    cv2.fillPoly(img, [pts], _color(rng, 10, 70), cv2.LINE_AA)
    # lights
    ly = int(top + (cy - top) * _u(rng, 0.6, 0.75))
    lh = int(ph * _u(rng, 0.8, 1.6))
    lw = int(cw * _u(rng, 0.1, 0.16))
    red = (float(rng.uniform(0, 60)), float(rng.uniform(0, 60)), float(rng.uniform(150, 240)))
    cv2.rectangle(img, (x0 + int(cw * 0.03), ly), (x0 + int(cw * 0.03) + lw, ly + lh), red, -1)
    cv2.rectangle(img, (x1 - int(cw * 0.03) - lw, ly), (x1 - int(cw * 0.03), ly + lh), red, -1)
    # bumper and wheels
    by = int(cy + ph * _u(rng, 0.8, 1.2))
    dark = _color(rng, 10, 60)
    cv2.rectangle(img, (x0, by), (x1, int(bottom)), dark, -1)
    for wx in (x0 + int(cw * 0.12), x1 - int(cw * 0.12)):
        cv2.ellipse(img, (wx, int(bottom)), (int(cw * 0.09), int(ph * 1.2)), 0, 0, 360,
                    (20, 20, 20), -1, cv2.LINE_AA)
    # a recessed plate area, darker
    cv2.rectangle(img, (int(cx - pw * 0.65), int(cy - ph * 0.8)),
                  (int(cx + pw * 0.65), int(cy + ph * 0.75)),
                  tuple(v * 0.7 for v in body), -1, cv2.LINE_AA)
    # shade the body: lit from above, a soft highlight band, darker towards the ground
    yb0, yb1 = max(0, int(top)), min(H, int(bottom))
    xb0, xb1 = max(0, x0), min(W, x1)
    if yb1 - yb0 > 2 and xb1 - xb0 > 2:
        t = np.linspace(0.0, 1.0, int(bottom) - int(top), dtype=np.float32)[yb0 - int(top):
                                                                           yb1 - int(top)]
        hl = _u(rng, 0.2, 0.5)
        gain = 1.12 - 0.35 * t + 0.18 * np.exp(-((t - hl) / 0.06) ** 2)
        roi = img[yb0:yb1, xb0:xb1].astype(np.float32)
        shaded = np.clip(roi * gain[:, None, None], 0, 255)
        m = (shape[yb0:yb1, xb0:xb1].astype(np.float32) / 255.0)[..., None]
        img[yb0:yb1, xb0:xb1] = (roi + m * (shaded - roi)).astype(np.uint8)
    texts = []
    if rng.random() < 0.5:  # a phone number / brand on the body, not a plate
        tcol = (20, 20, 20) if sum(body) > 380 else (240, 240, 240)
        s = ph * _u(rng, 0.35, 0.7) / 22.0
        txt = f"{rng.integers(200, 999)}-{rng.integers(200, 999)}-{rng.integers(1000, 9999)}"
        org = (int(cx - pw * _u(rng, 0.8, 1.5)), int(wy1 + (ly - wy1) * 0.6))
        texts.append(_text(img, txt, org, s, tcol, max(1, int(s * 2)), rng))
    return texts, tuple(int(v) for v in body)


def make_scene(style: PlateStyle, rng: np.random.Generator, cfg: AugmentConfig,
               size: tuple[int, int] | None = None,
               fonts: tuple[FontSpec, ...] | None = None, cache: GlyphCache | None = None,
               index: int = 0) -> SceneSample:
    """One photo-like scene with one plate.

    Args:
        size: ``(width, height)``; default: width 640-1280, aspect 4:3, 3:2 or 16:9.
        cfg: the realism applied to the plate (geometry, light) and the whole image
            (blur, tone, noise, JPEG).
    """
    if size is None:
        w = int(rng.integers(640, 1281))
        h = int(w / (4 / 3, 3 / 2, 16 / 9)[int(rng.integers(3))])
    else:
        w, h = size
    img = _background(h, w, rng)
    distractors = []
    for _ in range(int(rng.integers(2, 8))):  # clutter
        kind = rng.random()
        col = _color(rng)
        p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if kind < 0.35:
            q = (p[0] + int(rng.integers(-w // 6, w // 6)),
                 p[1] + int(rng.integers(-h // 6, h // 6)))
            cv2.rectangle(img, p, q, col, -1 if rng.random() < 0.6 else 2)
        elif kind < 0.6:
            cv2.circle(img, p, int(rng.integers(4, max(5, h // 12))), col, -1, cv2.LINE_AA)
        elif kind < 0.8:
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p, q, col, int(rng.integers(1, 6)), cv2.LINE_AA)
        else:  # a sign with a word on it
            word = _WORDS[int(rng.integers(len(_WORDS)))]
            s = _u(rng, 0.5, 1.4) * w / 1000
            (tw, th), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_DUPLEX, s, 2)
            bg = _color(rng, 0, 255)
            cv2.rectangle(img, (p[0] - 6, p[1] - th - 8), (p[0] + tw + 6, p[1] + 8), bg, -1)
            fg = (20, 20, 20) if sum(bg) > 380 else (245, 245, 245)
            distractors.append(_text(img, word, p, s, fg, max(1, int(s * 2.2)), rng))

    # The plate: size like real photos, somewhere in the lower two thirds.
    # log-uniform: small plates are as common as in real photos
    pw = float(np.clip(np.exp(rng.uniform(np.log(60), np.log(300))), 60, min(300, w * 0.4)))
    res = cfg.resolution.draw(rng)
    k = res if res else _u(rng, 1.0, 1.5)
    aspect = 0.5 * (style.aspect[0] + style.aspect[1])
    plate = render_plate(style, rng, int(np.clip(round(pw / aspect * k), 12, 240)), fonts, cache)
    H, W = plate.image.shape[:2]
    s = pw / W
    ph = H * s
    cx = _u(rng, 0.2, 0.8) * w
    cy = _u(rng, 0.4, 0.85) * h
    texts, _body = _car(img, cx, cy, pw, ph, rng)
    distractors.extend(texts)
    Mp = plate_homography(W, H, rng, cfg)
    T = np.array([[s, 0, cx], [0, s, cy], [0, 0, 1]], np.float64)
    M = T @ Mp
    corners = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    quad = transform_points(M, corners)
    # keep the whole plate inside the picture
    dx = max(0.0, 2 - quad[:, 0].min()) - max(0.0, quad[:, 0].max() - (w - 3))
    dy = max(0.0, 2 - quad[:, 1].min()) - max(0.0, quad[:, 1].max() - (h - 3))
    if dx or dy:
        M = np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64) @ M
        quad = transform_points(M, corners)
    composite(img, plate.image, plate.mask, M)
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    img = lighting(img, rng, cfg, region=(x0 - 4, y0 - 4, x1 + 4, y1 + 4))
    if rng.random() < 0.5:  # a camera timestamp: text that is not a plate
        ts = (f"20{rng.integers(10, 26)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d} "
              f"{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}:{rng.integers(0, 60):02d}")
        sc = w / 1600
        distractors.append(_text(img, ts, (8, int(30 * sc) + 8), sc, (255, 255, 255),
                                 max(1, int(2 * sc)), rng))
    if rng.random() < 0.3:  # plate-like letters and digits elsewhere (a sign, a truck)
        txt = "".join(ALPHABET[int(i)] for i in rng.integers(0, 36, int(rng.integers(4, 8))))
        sc = _u(rng, 0.6, 1.5) * w / 1000
        org = (int(rng.integers(0, int(w * 0.7))), int(rng.integers(int(h * 0.1), int(h * 0.4))))
        distractors.append(_text(img, txt, org, sc, _color(rng, 0, 80), max(1, int(sc * 2)), rng))
    scene_cfg = cfg.replace(gaussian_blur=cfg.gaussian_blur.__class__(
        cfg.gaussian_blur.p, cfg.gaussian_blur.lo * 0.7, cfg.gaussian_blur.hi * 0.7))
    img = camera(img, rng, scene_cfg)
    bx0, by0 = max(0, int(x0)), max(0, int(y0))
    bx1, by1 = min(w, int(x1)), min(h, int(y1))
    return SceneSample(
        image=img, text=plate.text, box=(bx0, by0, bx1 - bx0, by1 - by0), quad=quad,
        char_boxes=xyxy_to_xywh(transform_boxes(M, plate.char_boxes), w, h),
        style=plate.style, layout=plate.layout, font=plate.font,
        dark_on_light=plate.dark_on_light, index=index,
        distractors=[tuple(int(v) for v in b) for b in distractors],
    )
