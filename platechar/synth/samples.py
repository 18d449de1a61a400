"""The items the synthetic data engine hands out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class PlateSample:
    """One synthetic plate crop with its exact ground truth.

    Attributes:
        image: BGR ``uint8`` (height, width, 3): the crop, realism applied.
        text: the label: characters of ``platechar.ALPHABET`` only, in reading order
            (two-line plates: top line, then bottom line).
        char_boxes: int32 (len(text), 4) ``(x, y, w, h)`` per character of ``text``, the
            axis-aligned bounds of its ink after every geometric change, in ``image``.
        quad: float32 (4, 2) the plate's corners in ``image``, clockwise from top-left
            (they may lie outside the image for tight crops).
        style: the plate style's name.
        layout: the text as printed, gaps, dashes and ``|`` line breaks included.
        font: the font the characters were drawn with.
        dark_on_light: whether the characters are darker than the plate.
        index: the item's index in its run; with the run's seed it recreates the item.
    """

    image: np.ndarray
    text: str
    char_boxes: np.ndarray
    quad: np.ndarray
    style: str
    layout: str = ""
    font: str = ""
    dark_on_light: bool = True
    index: int = 0

    def to_dict(self) -> dict:
        """JSON-friendly ground truth (no pixels)."""
        h, w = self.image.shape[:2]
        return {
            "text": self.text,
            "width": int(w),
            "height": int(h),
            "style": self.style,
            "layout": self.layout,
            "font": self.font,
            "dark_on_light": bool(self.dark_on_light),
            "char_boxes": [[int(v) for v in b] for b in self.char_boxes],
            "quad": [[round(float(x), 2), round(float(y), 2)] for x, y in self.quad],
        }


@dataclass(eq=False)
class SceneSample:
    """A synthetic photo holding one plate (for detection tests).

    Attributes:
        image: BGR ``uint8`` scene.
        text: the plate's label.
        box: ``(x, y, w, h)`` the plate's axis-aligned box in the scene (clipped to it).
        quad: float32 (4, 2) the plate's corners, clockwise from top-left.
        char_boxes: int32 (N, 4) ``(x, y, w, h)`` per character, in scene pixels.
        style: the plate style's name.
        distractors: ``(x, y, w, h)`` boxes of text that is *not* a plate (signs,
            timestamps, phone numbers) for measuring false positives.
    """

    image: np.ndarray
    text: str
    box: tuple[int, int, int, int]
    quad: np.ndarray
    char_boxes: np.ndarray
    style: str
    layout: str = ""
    font: str = ""
    dark_on_light: bool = True
    index: int = 0
    distractors: list = field(default_factory=list)

    def to_dict(self) -> dict:
        h, w = self.image.shape[:2]
        return {
            "text": self.text,
            "width": int(w),
            "height": int(h),
            "box": [int(v) for v in self.box],
            "quad": [[round(float(x), 2), round(float(y), 2)] for x, y in self.quad],
            "style": self.style,
            "layout": self.layout,
            "font": self.font,
            "dark_on_light": bool(self.dark_on_light),
            "char_boxes": [[int(v) for v in b] for b in self.char_boxes],
            "distractors": [[int(v) for v in b] for b in self.distractors],
        }
