"""Images the tests draw for themselves: nothing is read from outside the repository."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


def smooth_bgr(height: int = 24, width: int = 32) -> np.ndarray:
    """A small BGR image of smooth gradients: every pixel differs, and JPEG keeps it close."""
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    cols = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    blue = 40 + 180 * rows * np.ones_like(cols)
    green = 30 + 200 * cols * np.ones_like(rows)
    red = 60 + 150 * (rows + cols) / 2
    return np.dstack([blue, green, red]).round().astype(np.uint8)


def draw_plate_scene(text: str = "7ABC123", height: int = 360, width: int = 480) -> np.ndarray:
    """A car-photo stand-in: a light plate with dark characters on a textured grey ground."""
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 18, (height // 8, width // 8)).astype(np.float32)
    texture = cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC)
    scene = np.clip(120 + texture, 0, 255).astype(np.uint8)
    scene = cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR)
    x, y, plate_w, plate_h = width // 4, height // 2, width // 2, width // 9
    cv2.rectangle(scene, (x, y), (x + plate_w, y + plate_h), (235, 235, 235), thickness=-1)
    cv2.rectangle(scene, (x, y), (x + plate_w, y + plate_h), (40, 40, 40), thickness=2)
    cv2.putText(scene, text, (x + 10, y + plate_h - 12), cv2.FONT_HERSHEY_SIMPLEX,
                plate_h / 40, (20, 20, 20), thickness=3, lineType=cv2.LINE_AA)
    return scene


@pytest.fixture
def plate_scene() -> np.ndarray:
    return draw_plate_scene()


@pytest.fixture
def plate_scene_path(tmp_path: Path, plate_scene: np.ndarray) -> Path:
    path = tmp_path / "scene.png"
    path.write_bytes(cv2.imencode(".png", plate_scene)[1].tobytes())
    return path


def write_seg_and_ocr_standin(root: Path, count: int, seed: int) -> Path:
    """A tiny stand-in for OpenALPR's ``seg_and_ocr`` under ``root``: ``count`` clean
    synthetic US crops in ``usimages/`` and their ``groundtruth.csv`` (``file,us,TEXT``).
    Returns the images' folder."""
    from platechar.synth import generate_plates

    images = root / "seg_and_ocr" / "usimages"
    images.mkdir(parents=True)
    rows = []
    for k, plate in enumerate(generate_plates(count, seed=seed, augment="none", styles="us",
                                              fonts="bundled", workers=1)):
        cv2.imwrite(str(images / f"p{k}.png"), plate.image)
        rows.append(f"p{k}.png,us,{plate.text.replace(' ', '')}\n")
    (images.parent / "groundtruth.csv").write_text("".join(rows))
    return images
