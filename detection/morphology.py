"""Edge and morphology proposals: a plate is a short, wide band dense in vertical edges.

Characters are made of vertical strokes, so the horizontal intensity gradient
(Sobel in x) is strong inside a plate and weak on most of a car's body. A
*closing* (dilate, then erode) with a wide, flat kernel smears the edge pixels of
neighbouring characters into one solid band; the outlines of those bands, when they
have a plate's proportions, are proposals. This works even where characters touch
each other or the plate's frame, which defeats the blob-by-blob view.
"""

from __future__ import annotations

import cv2
import numpy as np
from imutils.perspective import order_points

BAND_HEIGHT_RANGE = (8, 60)   # height (px) of a band (characters or whole plate), per level
BAND_ASPECT_RANGE = (1.3, 8)  # band width / height
CLOSE_KERNEL = (13, 3)        # (width, height) of the closing that joins characters
MIN_SOLIDITY = 0.40           # band area / its rotated rectangle's area


def edge_bands(gray: np.ndarray, stages: dict | None = None) -> list[tuple[np.ndarray, float]]:
    """Bands of dense vertical edges as ``(quad, solidity)``: quads clockwise from top-left."""
    gradient = cv2.convertScaleAbs(cv2.Sobel(gray, cv2.CV_16S, 1, 0, ksize=3))
    _, edges = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, CLOSE_KERNEL)
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, kernel)
    closed = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if stages is not None:
        stages["edges"] = edges
        stages["closed"] = closed
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    bands = []
    lo_h, hi_h = BAND_HEIGHT_RANGE
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if h < lo_h or w < 12 or h > 3 * hi_h:
            continue
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        quad = order_points(cv2.boxPoints(((cx, cy), (rw, rh), angle))).astype(np.float32)
        width = np.linalg.norm(quad[1] - quad[0])
        height = np.linalg.norm(quad[3] - quad[0])
        if not (lo_h <= height <= hi_h) or height == 0:
            continue
        if not (BAND_ASPECT_RANGE[0] <= width / height <= BAND_ASPECT_RANGE[1]):
            continue
        solidity = cv2.contourArea(contour) / max(width * height, 1.0)
        if solidity >= MIN_SOLIDITY:
            bands.append((quad, float(solidity)))
    return bands
