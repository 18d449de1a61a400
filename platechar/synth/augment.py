"""Realism on top of a clean plate: camera geometry, light, dirt and a cheap camera.

Every effect is an :class:`Effect`: the probability ``p`` that it happens to a plate
and the ``(lo, hi)`` range its strength is drawn from uniformly. They are gathered in a
frozen :class:`AugmentConfig`; :data:`PRESETS` has ``none``, ``light``, ``default`` and
``heavy``. Geometric effects are folded into one homography, which moves the plate,
its quad and the corners of every character box alike, so the ground truth follows
every geometric change exactly; no effect ever covers a character (occluders are kept
to the plate's margins), so every label stays true.

The pipeline, per crop:

1. pick the output scale, render the clean plate at about that resolution
   (``resolution`` renders it smaller, so it is upsampled: a low-resolution camera);
2. ``perspective`` (yaw/pitch as a trapezoid + corner jitter) and ``rotation``;
3. crop window around the plate with per-side ``margin`` (negative: tight, cutting into
   the plate's border but never into a character), stretched to ``size`` if one is given;
4. composite over a background (car paint, bumper edges), plate ``frame`` / border
   ``occlusion``;
5. ``shadow``, ``glare``, ``dirt``; ``gaussian_blur`` or ``motion_blur``;
   ``brightness``, ``contrast``, ``gamma``, ``color_cast``, ``grayscale``; ``noise``; ``jpeg``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from platechar.errors import PlatecharError
from platechar.synth.render import blend_color, blend_image


@dataclass(frozen=True)
class Effect:
    """Probability ``p`` of applying an effect and the range of its strength."""

    p: float
    lo: float
    hi: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise PlatecharError(f"effect probability must be in 0..1, got {self.p}")
        if self.lo > self.hi:
            raise PlatecharError(f"effect range ({self.lo}, {self.hi}) is reversed")

    def draw(self, rng: np.random.Generator) -> float | None:
        """The strength for this item, or None when the effect is skipped.

        Always consumes two random numbers, so switching one effect off does not
        change the draws of the others.
        """
        a, b = rng.random(), rng.random()
        if a >= self.p:
            return None
        return self.lo + (self.hi - self.lo) * b


OFF = Effect(0.0, 0.0, 0.0)


@dataclass(frozen=True)
class AugmentConfig:
    """What realism to apply; every field is an :class:`Effect` (probability, range).

    Geometry:
        perspective: out-of-plane turn, as the relative height difference of the
            plate's near and far edges (0.15 = one side 15% taller).
        rotation: in-plane rotation, degrees.
        margin: crop margin on each side as a fraction of the plate height;
            negative values crop into the plate (never into a character).
        resolution: render at this fraction of the output resolution and upsample
            (a low-resolution camera); otherwise the plate is rendered at 1-1.6x.
        plate_width: plate width in pixels when no output size is given.
    Light and dirt:
        shadow: darkening by a soft-edged shadow across part of the crop (strength).
        glare: a bright specular blob (strength 0..1).
        dirt: blotches and specks of grime (amount).
        occlusion: a plate frame / holder covering the plate's border, as a fraction of
            the plate height (clamped to the space free of characters).
    Camera:
        gaussian_blur: sigma in pixels. motion_blur: kernel length in pixels.
        brightness: offset in gray levels. contrast: factor. gamma: exponent.
        color_cast: per-channel gain spread. grayscale: probability only (range unused).
        noise: gaussian sigma in gray levels. jpeg: JPEG quality.
    """

    perspective: Effect = Effect(0.7, 0.0, 0.25)
    rotation: Effect = Effect(0.7, -7.0, 7.0)
    margin: Effect = Effect(1.0, -0.03, 0.18)
    resolution: Effect = Effect(0.2, 0.45, 0.85)
    plate_width: Effect = Effect(1.0, 100.0, 280.0)
    shadow: Effect = Effect(0.25, 0.2, 0.6)
    glare: Effect = Effect(0.15, 0.2, 0.7)
    dirt: Effect = Effect(0.25, 0.1, 0.6)
    occlusion: Effect = Effect(0.3, 0.3, 1.0)
    gaussian_blur: Effect = Effect(0.3, 0.3, 1.1)
    motion_blur: Effect = Effect(0.12, 3.0, 7.0)
    brightness: Effect = Effect(0.7, -50.0, 40.0)
    contrast: Effect = Effect(0.6, 0.55, 1.25)
    gamma: Effect = Effect(0.4, 0.6, 1.6)
    color_cast: Effect = Effect(0.4, 0.0, 0.12)
    grayscale: Effect = Effect(0.08, 0.0, 0.0)
    noise: Effect = Effect(0.6, 2.0, 12.0)
    jpeg: Effect = Effect(0.5, 30.0, 92.0)

    def replace(self, **changes) -> AugmentConfig:
        """A copy with some effects changed: ``cfg.replace(jpeg=OFF)``."""
        try:
            return dataclasses.replace(self, **changes)
        except TypeError as exc:
            raise PlatecharError(f"unknown augmentation setting: {exc}") from None


_NONE_FIELDS = {f.name: OFF for f in dataclasses.fields(AugmentConfig)}
_NONE_FIELDS["margin"] = Effect(1.0, 0.06, 0.06)
_NONE_FIELDS["plate_width"] = Effect(1.0, 200.0, 200.0)

PRESETS: dict[str, AugmentConfig] = {
    "none": AugmentConfig(**_NONE_FIELDS),
    "light": AugmentConfig(
        perspective=Effect(0.5, 0.0, 0.1), rotation=Effect(0.5, -3, 3),
        margin=Effect(1.0, 0.0, 0.15), resolution=OFF, shadow=Effect(0.1, 0.2, 0.4),
        glare=OFF, dirt=Effect(0.1, 0.1, 0.3), occlusion=Effect(0.2, 0.3, 0.8),
        gaussian_blur=Effect(0.3, 0.3, 0.8), motion_blur=OFF,
        brightness=Effect(0.5, -25, 25), contrast=Effect(0.4, 0.8, 1.1),
        gamma=Effect(0.3, 0.8, 1.25), color_cast=Effect(0.3, 0, 0.06), grayscale=OFF,
        noise=Effect(0.4, 1, 5), jpeg=Effect(0.3, 60, 95),
    ),
    "default": AugmentConfig(),
    "heavy": AugmentConfig(
        perspective=Effect(0.9, 0.05, 0.35), rotation=Effect(0.9, -12, 12),
        margin=Effect(1.0, -0.06, 0.4), resolution=Effect(0.4, 0.3, 0.7),
        shadow=Effect(0.4, 0.3, 0.7), glare=Effect(0.3, 0.3, 0.8), dirt=Effect(0.4, 0.2, 0.8),
        occlusion=Effect(0.4, 0.5, 1.0), gaussian_blur=Effect(0.5, 0.6, 2.0),
        motion_blur=Effect(0.25, 4, 11), brightness=Effect(0.8, -70, 50),
        contrast=Effect(0.7, 0.4, 1.3), gamma=Effect(0.5, 0.5, 2.0),
        color_cast=Effect(0.5, 0, 0.2), grayscale=Effect(0.15, 0, 0),
        noise=Effect(0.8, 4, 20), jpeg=Effect(0.7, 15, 70),
    ),
}


def get_augment(augment: str | AugmentConfig | None) -> AugmentConfig:
    """A preset by name, a config as is, or ``None`` for no realism at all."""
    if augment is None:
        return PRESETS["none"]
    if isinstance(augment, AugmentConfig):
        return augment
    try:
        return PRESETS[augment]
    except (KeyError, TypeError):
        raise PlatecharError(
            f"unknown augmentation {augment!r}; use one of {', '.join(PRESETS)} "
            "or an AugmentConfig"
        ) from None


# --- geometry ---------------------------------------------------------------------


def transform_points(M: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to (N, 2) points; returns float32 (N, 2)."""
    pts = np.asarray(pts, np.float64).reshape(-1, 1, 2)
    if len(pts) == 0:
        return np.zeros((0, 2), np.float32)
    return cv2.perspectiveTransform(pts, np.asarray(M, np.float64)).reshape(-1, 2).astype(
        np.float32)


def transform_boxes(M: np.ndarray, boxes_xyxy: np.ndarray) -> np.ndarray:
    """Move (N, 4) ``x0, y0, x1, y1`` boxes by a homography: bounds of the moved corners."""
    b = np.asarray(boxes_xyxy, np.float64).reshape(-1, 4)
    if len(b) == 0:
        return np.zeros((0, 4), np.float32)
    corners = np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]]], axis=1)
    moved = transform_points(M, corners.reshape(-1, 2)).reshape(-1, 4, 2)
    return np.concatenate([moved.min(axis=1), moved.max(axis=1)], axis=1)


def xyxy_to_xywh(boxes: np.ndarray, width: int, height: int) -> np.ndarray:
    """Float ``x0, y0, x1, y1`` -> int ``(x, y, w, h)`` covering them, clipped to the image."""
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    lo = np.minimum(np.maximum(np.floor(b[:, :2]), 0), [width - 1, height - 1])
    hi = np.minimum(np.maximum(np.ceil(b[:, 2:]), lo + 1), [width, height])
    return np.concatenate([lo, hi - lo], axis=1).astype(np.int32)


def plate_homography(w: float, h: float, rng: np.random.Generator,
                     cfg: AugmentConfig) -> np.ndarray:
    """Perspective and rotation of a ``w`` x ``h`` plate about its centre."""
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src.copy() - np.float32([w / 2, h / 2])
    p = cfg.perspective.draw(rng)
    yaw_sign, pitch_share, jit = rng.random(), rng.random(), rng.uniform(-1, 1, (4, 2))
    if p:
        # Near edge taller than far edge (yaw) or wider (pitch), plus a little jitter.
        yaw, pitch = p * (1 - 0.6 * pitch_share), p * 0.6 * pitch_share
        s = 1 if yaw_sign < 0.5 else -1
        dst[:, 1] *= 1 + s * yaw * np.float32([-0.5, 0.5, 0.5, -0.5])
        dst[:, 0] *= 1 + pitch * np.float32([-0.5, -0.5, 0.5, 0.5]) * s
        dst += jit.astype(np.float32) * p * 0.08 * h
    r = cfg.rotation.draw(rng)
    if r:
        a = np.deg2rad(r)
        rot = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        dst = dst @ rot.T
    return cv2.getPerspectiveTransform(src, dst)


# --- backgrounds and lighting ------------------------------------------------------

_CAR_COLORS = ((235, 235, 235), (180, 180, 180), (120, 120, 120), (30, 30, 30), (40, 40, 160),
               (140, 60, 20), (60, 90, 40), (200, 200, 210), (20, 30, 60), (90, 80, 70))


@lru_cache(maxsize=1)
def noise_bank() -> np.ndarray:
    """512x512x3 standard normals, made once per process (fixed seed) and sliced per item."""
    return np.random.default_rng(20240601).standard_normal((512, 512, 3)).astype(np.float32)


def noise_field(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """An (h, w, 3) slice of standard normal noise, tiled when larger than the bank."""
    bank = noise_bank()
    n = bank.shape[0]
    oy, ox = int(rng.integers(0, max(1, n - h + 1))), int(rng.integers(0, max(1, n - w + 1)))
    if h > n or w > n:
        bank = np.tile(bank, (-(-(h + oy) // n), -(-(w + ox) // n), 1))
    return bank[oy:oy + h, ox:ox + w]


def car_background(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Painted-metal-like backdrop: a car colour, a gradient, bumper edges, lights."""
    base = np.asarray(_CAR_COLORS[int(rng.integers(len(_CAR_COLORS)))], np.float32)
    base = _clip255(base + rng.uniform(-20, 20, 3))
    other = _clip255(base * rng.uniform(0.4, 1.2))
    t = (np.arange(h, dtype=np.float32) * (1.0 / max(1, h - 1)))[:, None, None]
    column = (base * (1 - t) + other * t).astype(np.uint8)
    img = cv2.resize(column, (w, h), interpolation=cv2.INTER_NEAREST)
    for _ in range(int(rng.integers(0, 4))):  # creases, bumper edges, lights
        kind = rng.random()
        col = tuple(float(v) for v in _clip255(base * rng.uniform(0.2, 1.5)))
        if kind < 0.6:
            y = int(rng.integers(0, h))
            cv2.line(img, (0, y), (w, y + int(rng.integers(-3, 4))), col,
                     int(rng.integers(1, max(2, h // 10))), cv2.LINE_AA)
        elif kind < 0.8:
            y = int(rng.integers(0, h))
            cv2.rectangle(img, (0, y), (w, h), col, -1)
        else:
            x = int(rng.integers(0, w))
            cv2.rectangle(img, (x, 0), (x + int(rng.integers(3, max(4, w // 8))), h),
                          (30, 30, float(rng.uniform(120, 230))), -1)
    return img


def _clip255(a: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(a, 0.0), 255.0)


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    M = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, M, (length, length))
    return k / max(k.sum(), 1e-6)


def _soft_polygon(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A uint8 (h, w) mask (255 inside) of a soft-edged random polygon (shadows)."""
    m = np.zeros((h, w), np.uint8)
    pts = np.stack([rng.uniform(-0.3, 1.3, 4) * w, rng.uniform(-0.3, 1.3, 4) * h], 1)
    cv2.fillPoly(m, [cv2.convexHull(pts.astype(np.int32))], 255)
    k = max(1, int(min(h, w) * rng.uniform(0.03, 0.2))) | 1
    return cv2.GaussianBlur(m, (k, k), 0)


def lighting(img: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig,
             region: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Shadow, glare and dirt on a uint8 BGR image (within ``region`` x0,y0,x1,y1)."""
    shadow, glare, dirt = cfg.shadow.draw(rng), cfg.glare.draw(rng), cfg.dirt.draw(rng)
    if not (shadow or glare or dirt):
        return img
    H, W = img.shape[:2]
    x0, y0, x1, y1 = region or (0, 0, W, H)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return img
    roi = np.ascontiguousarray(img[y0:y1, x0:x1])
    h, w = roi.shape[:2]
    if shadow:  # darken by up to ``shadow`` under a soft polygon (uint8 cv2 arithmetic)
        keep = cv2.convertScaleAbs(_soft_polygon(h, w, rng), alpha=-shadow, beta=255.0)
        roi = cv2.multiply(roi, cv2.merge([keep, keep, keep]), scale=1.0 / 255)
    if glare:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = w * rng.uniform(0.08, 0.3), h * rng.uniform(0.15, 0.6)
        gx = np.exp(-0.5 * ((np.arange(w, dtype=np.float32) - cx) / sx) ** 2)
        gy = np.exp(-0.5 * ((np.arange(h, dtype=np.float32) - cy) / sy) ** 2)
        g = cv2.convertScaleAbs(gy[:, None] * gx[None, :], alpha=255.0 * glare)
        roi = blend_color(roi, g, (255, 255, 255))
    if dirt:
        n = int(2 + dirt * 10)
        m = np.zeros((h, w), np.uint8)
        for _ in range(n):
            c = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            ax = (max(1, int(w * rng.uniform(0.01, 0.08))),
                  max(1, int(h * rng.uniform(0.02, 0.15))))
            cv2.ellipse(m, c, ax, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        k = max(1, int(min(h, w) * 0.08)) | 1
        m = cv2.convertScaleAbs(cv2.GaussianBlur(m, (k, k), 0), alpha=dirt * 0.6)
        speck = (noise_field(h, w, rng)[..., 0] > 2.6 - dirt).astype(np.uint8)
        m = np.maximum(m, speck * np.uint8(min(255, dirt * 0.7 * 255)))
        col = rng.uniform([20, 40, 50], [70, 90, 110])
        roi = blend_color(roi, m, col)
    img[y0:y1, x0:x1] = roi
    return img


def camera(img: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Blur, tone, colour, noise and JPEG on a uint8 BGR image; returns a new image."""
    sigma, motion = cfg.gaussian_blur.draw(rng), cfg.motion_blur.draw(rng)
    angle = float(rng.uniform(0, 180))
    if sigma:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if motion:
        k = max(2, int(round(motion)))
        img = cv2.filter2D(img, -1, _motion_kernel(k, round(angle / 15) * 15))
    b, c, g = cfg.brightness.draw(rng), cfg.contrast.draw(rng), cfg.gamma.draw(rng)
    cast = cfg.color_cast.draw(rng)
    gains = 1 + rng.uniform(-1, 1, 3)
    if b or c or g:
        x = np.arange(256, dtype=np.float32) / 255.0
        if g:
            x = x ** g
        x = x * 255.0
        if c:
            x = (x - 128.0) * c + 128.0
        if b:
            x = x + b
        img = cv2.LUT(img, np.minimum(np.maximum(x, 0.0), 255.0).astype(np.uint8))
    if cast:
        img = cv2.transform(img, np.diag(1 + (gains - 1) * cast).astype(np.float32))
    if cfg.grayscale.draw(rng) is not None:
        img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    n = cfg.noise.draw(rng)
    if n:
        h, w = img.shape[:2]
        img = cv2.addWeighted(img, 1.0, noise_field(h, w, rng), n, 0.0, dtype=cv2.CV_8U)
    q = cfg.jpeg.draw(rng)
    if q:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(q)])
        if ok:
            img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return img


@dataclass
class Placement:
    """Where a plate went: the homography from plate pixels and the results."""

    M: np.ndarray
    quad: np.ndarray
    char_boxes: np.ndarray  # float x0, y0, x1, y1
    extra: dict = field(default_factory=dict)


def composite(canvas: np.ndarray, plate_img: np.ndarray, plate_mask: np.ndarray,
              M: np.ndarray) -> np.ndarray:
    """Warp the plate by ``M`` and blend it onto ``canvas`` (uint8, in place) through its mask.

    Only the plate's bounding rectangle is warped, as one 4-channel image (BGR + mask):
    OpenCV warps 4 channels several times faster than 3 + 1.
    """
    H, W = canvas.shape[:2]
    h, w = plate_mask.shape
    corners = transform_points(M, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 2
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if x1 <= x0 or y1 <= y0:
        return canvas
    T = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    bgra = cv2.cvtColor(plate_img, cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = plate_mask
    warped = cv2.warpPerspective(bgra, T @ M, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    canvas[y0:y1, x0:x1] = blend_image(canvas[y0:y1, x0:x1],
                                       cv2.cvtColor(warped, cv2.COLOR_BGRA2BGR),
                                       np.ascontiguousarray(warped[..., 3]))
    return canvas


def draw_frame(canvas: np.ndarray, quad: np.ndarray, plate_h: float, insets: tuple,
               rng: np.random.Generator) -> None:
    """A plate holder frame: a ring from outside the plate to ``insets`` inside it.

    ``insets`` = (top, right, bottom, left) in plate heights; the caller keeps them
    within the character-free border so that no character is covered.
    """
    q = quad.astype(np.float32)
    c = q.mean(axis=0)
    out = c + (q - c) * 1.06
    # inner edge: each edge moved inwards by its inset (approximately, along the normal)
    up = (q[3] - q[0] + q[2] - q[1]) / 2  # top -> bottom
    right = (q[1] - q[0] + q[2] - q[3]) / 2  # left -> right
    up_n = up / max(np.linalg.norm(up), 1e-6)
    right_n = right / max(np.linalg.norm(right), 1e-6)
    t, r, b, lft = (v * plate_h for v in insets)
    inner = np.stack([
        q[0] + up_n * t + right_n * lft, q[1] + up_n * t - right_n * r,
        q[2] - up_n * b - right_n * r, q[3] - up_n * b + right_n * lft,
    ])
    col = tuple(float(v) for v in (rng.uniform(10, 60, 3) if rng.random() < 0.6
                                   else rng.uniform(150, 230, 3)))
    ring = np.zeros(canvas.shape[:2], np.uint8)
    cv2.fillPoly(ring, [out.round().astype(np.int32)], 255, cv2.LINE_AA)
    cv2.fillPoly(ring, [inner.round().astype(np.int32)], 0, cv2.LINE_AA)
    x0, y0, bw, bh = cv2.boundingRect(ring)
    if bw and bh:
        x1, y1 = x0 + bw, y0 + bh
        canvas[y0:y1, x0:x1] = blend_color(canvas[y0:y1, x0:x1],
                                           np.ascontiguousarray(ring[y0:y1, x0:x1]), col)


def frame_insets(char_boxes: np.ndarray, w: int, h: int, strength: float,
                 rng: np.random.Generator) -> tuple[float, float, float, float]:
    """Frame insets (in plate heights) that stay clear of every character box."""
    if len(char_boxes):
        top = char_boxes[:, 1].min() / h
        bottom = (h - char_boxes[:, 3].max()) / h
        left = char_boxes[:, 0].min() / h
        right = (w - char_boxes[:, 2].max()) / h
    else:
        top = bottom = left = right = 0.1
    safety = 0.03
    t = max(0.0, top - safety) * strength * rng.uniform(0.2, 1.0)
    b = max(0.0, bottom - safety) * strength * rng.uniform(0.4, 1.0)
    side = rng.uniform(0.0, 0.06) * strength
    return (t, min(side, max(0.0, right - safety)), b, min(side, max(0.0, left - safety)))
