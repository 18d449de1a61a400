"""A contact sheet of synthetic data, to judge by eye against real plates.

One row per style (augmented crops, each captioned with its label), a row of scenes
(plate box in green) and, when ``real_dir`` is given, rows of real crops read from that
folder (for example ``../shared/data/openalpr-benchmarks/seg_and_ocr/usimages``) so the
two can be compared side by side. Real images are only read, never copied.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from platechar.errors import PlatecharError
from platechar.synth.dataset import make_item, make_spec

CAPTION_H = 16


def _letterbox(img: np.ndarray, w: int, h: int, color=(90, 90, 90)) -> np.ndarray:
    ih, iw = img.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = max(1, int(iw * s)), max(1, int(ih * s))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    out = np.empty((h, w, 3), np.uint8)
    out[:] = np.uint8(color)
    y, x = (h - nh) // 2, (w - nw) // 2
    out[y:y + nh, x:x + nw] = small if small.ndim == 3 else small[..., None]
    return out


def _caption(tile: np.ndarray, text: str) -> np.ndarray:
    strip = np.full((CAPTION_H, tile.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, text, (3, CAPTION_H - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1,
                cv2.LINE_AA)
    return np.vstack([tile, strip])


def _row(tiles: list[np.ndarray], label: str, width: int) -> np.ndarray:
    row = np.hstack(tiles) if tiles else np.zeros((10, width, 3), np.uint8)
    if row.shape[1] < width:
        row = np.hstack([row, np.full((row.shape[0], width - row.shape[1], 3), 40, np.uint8)])
    head = np.full((18, width, 3), 40, np.uint8)
    cv2.putText(head, label, (4, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                cv2.LINE_AA)
    return np.vstack([head, row])


def contact_sheet(seed: int = 0, per_row: int = 6, styles=None, augment="default",
                  scenes: int = 3, real_dir=None, real_count: int = 12,
                  tile: tuple[int, int] = (220, 104), fonts: str = "all") -> np.ndarray:
    """Build the sheet as a BGR image (write it with ``cv2.imwrite``)."""
    if per_row < 1 or scenes < 0 or real_count < 0:
        raise PlatecharError("per_row must be >= 1, scenes and real_count >= 0")
    tw, th = tile
    width = tw * per_row
    spec = make_spec("crops", seed, styles, augment, None, "stretch", fonts)
    rows = []
    for row, st in enumerate(spec.styles):
        one = make_spec("crops", seed, [st], augment, None, "stretch", fonts)
        tiles = []
        for i in range(per_row):
            s = make_item(one, 1000 * row + i)  # other items per row: other draws
            tiles.append(_caption(_letterbox(s.image, tw, th), f"{s.text}  {s.font[:18]}"))
        how = augment if isinstance(augment, str) else "custom"
        rows.append(_row(tiles, f"style '{st.name}' (augment={how})", width))
    if scenes:
        sspec = make_spec("scenes", seed, styles, augment, None, "stretch", fonts)
        sw = width // scenes
        sh = int(sw * 0.62)
        tiles = []
        for i in range(scenes):
            s = make_item(sspec, i)
            img = s.image.copy()
            x, y, w, h = s.box
            cv2.rectangle(img, (x, y), (x + w, y + h), (0, 255, 0), 2)
            tiles.append(_caption(_letterbox(img, sw, sh), f"{s.text}  box={s.box}"))
        rows.append(_row(tiles, "scenes (plate box in green)", width))
    if real_dir is not None:
        folder = Path(real_dir)
        if not folder.is_dir():
            raise PlatecharError(f"--real: {folder} is not a folder")
        files = sorted(p for p in folder.iterdir()
                       if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
        rng = np.random.default_rng(seed)
        pick = [files[i] for i in sorted(rng.choice(len(files), min(real_count, len(files)),
                                                    replace=False))] if files else []
        tiles = []
        for p in pick:
            img = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if img is not None:
                tiles.append(_caption(_letterbox(img, tw, th), p.name[:24]))
        for k in range(0, len(tiles), per_row):
            rows.append(_row(tiles[k:k + per_row], f"real: {folder.name}", width))
    return np.vstack(rows)


def write_contact_sheet(path, quality: int = 95, **kwargs) -> Path:
    """Build the sheet and write it to ``path`` (PNG or JPEG, by extension, at ``quality``)."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise PlatecharError(f"preview must be a .png or .jpg file, got {path.name}")
    if not 1 <= int(quality) <= 100:
        raise PlatecharError(f"JPEG quality must be 1..100, got {quality}")
    sheet = contact_sheet(**kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if path.suffix.lower() != ".png" else []
    if not cv2.imwrite(str(path), sheet, params):
        raise PlatecharError(f"could not write {path}")
    return path
