"""Boxes, quadrilaterals and perspective rectification.

A plate seen at an angle is a quadrilateral, not a rectangle. Once its four corners
are known, a *perspective transform* (a 3x3 homography) maps them onto an upright
rectangle, so that later stages see the plate as if from the front.
"""

from __future__ import annotations

import cv2
import numpy as np


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two ``(x, y, w, h)`` boxes: 0 (disjoint) .. 1 (identical)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def width_covered(found: tuple[int, int, int, int], truth: tuple[int, int, int, int]) -> float:
    """The share of ``truth``'s width that ``found`` spans (``(x, y, w, h)`` boxes): a box
    can overlap a plate well (IoU) and still cut off its first characters."""
    fx, _, fw, _ = found
    tx, _, tw, _ = truth
    return max(0, min(fx + fw, tx + tw) - max(fx, tx)) / tw if tw > 0 else 0.0


def rotated_rect_quad(center, size, angle_deg: float) -> np.ndarray:
    """The 4 corners (clockwise from top-left) of a ``size = (width, height)`` rectangle
    centred on ``center`` and rotated by ``angle_deg`` (positive: clockwise on screen).

    Meant for plate-like rectangles tilted less than 45 degrees, whose "top-left" is
    unambiguous; it computes the corners directly rather than sorting them.
    """
    cx, cy = center
    half_w, half_h = size[0] / 2, size[1] / 2
    cos, sin = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    along = np.array([cos, sin]) * half_w    # half the width, along the text
    across = np.array([-sin, cos]) * half_h  # half the height, downwards
    centre = np.array([cx, cy])
    return np.array([centre - along - across, centre + along - across,
                     centre + along + across, centre - along + across], np.float32)


def quad_box(quad: np.ndarray, image_shape) -> tuple[int, int, int, int]:
    """The axis-aligned ``(x, y, w, h)`` of a quad, clipped to the image."""
    height, width = image_shape[:2]
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, width), min(y1, height)
    return int(x0), int(y0), int(max(x1 - x0, 0)), int(max(y1 - y0, 0))


def rectify(image: np.ndarray, quad: np.ndarray, height: int | None = None) -> np.ndarray:
    """Warp the quad's content to an upright rectangle (perspective correction).

    The output keeps the quad's own width/height ratio; ``height`` fixes its height in
    pixels (default: the quad's own height). Corners outside the image are filled by
    replicating the border.
    """
    tl, tr, br, bl = quad.astype(np.float32)
    width_px = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height_px = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if height is not None and height_px > 0:
        width_px *= height / height_px
        height_px = height
    out_w, out_h = max(int(round(width_px)), 2), max(int(round(height_px)), 2)
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def non_max_suppression(boxes: list, scores: list, overlap: float = 0.3) -> list[int]:
    """Indices of the boxes to keep, best first: a box is dropped when it overlaps a
    better-scoring kept box with IoU above ``overlap``."""
    if not boxes:
        return []
    kept = cv2.dnn.NMSBoxes([list(map(int, b)) for b in boxes], [float(s) for s in scores],
                            score_threshold=0.0, nms_threshold=overlap)
    return [int(i) for i in np.asarray(kept).reshape(-1)]


def rectified_crop_height(quad: np.ndarray, minimum: int = 32, maximum: int = 128) -> int:
    """A crop height that keeps the plate's own resolution, within sensible bounds."""
    tl, tr, br, bl = quad
    own = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    return int(np.clip(round(own), minimum, maximum))
