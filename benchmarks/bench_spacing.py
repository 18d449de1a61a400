"""Are the synthetic plates' characters spaced as real plates' are?

For each region, the gaps between neighbouring characters and the characters' widths,
both as a share of the character height, on real plates and on the synthetic style that
stands for them. Cramped synthetic characters make segmentation and every synthetic
figure harder than real plates are; airy ones make them easier.

Reproduce (from the repository root, in the dev venv)::

    python benchmarks/bench_spacing.py            # us, eu, br; 300 synthetic plates each
    python benchmarks/bench_spacing.py --regions br --plates 1000

Real plates: the ``endtoend/{us,eu,br}`` photos read by the segmented backend with the
region's syntax, and for ``us`` also the 359 ``seg_and_ocr`` crops segmented alone;
only plates whose character count equals the label's are measured (their boxes are the
segmenter's ink boxes). That leaves out the plates the segmenter could not count, among
them the most cramped, so the real gaps lean a little wide. Synthetic plates: the
style's true ink boxes (``--augment none``, seed 3).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._data import DEFAULT_ROOT, read_endtoend, read_seg_and_ocr  # noqa: E402

TOUCHING = 0.03  # a gap under this share of the height: the characters nearly touch


def gaps_and_widths(boxes) -> tuple[list[float], list[float]]:
    """Gaps between neighbours and widths, ``(x, y, w, h)`` boxes, as shares of the
    median height."""
    boxes = sorted((tuple(b) for b in boxes), key=lambda b: b[0])
    height = float(np.median([b[3] for b in boxes]))
    gaps = [(right[0] - (left[0] + left[2])) / height
            for left, right in zip(boxes, boxes[1:], strict=False)]
    return gaps, [b[2] / height for b in boxes]


def measured(plates_boxes) -> tuple[list[float], list[float], int]:
    """All the gaps and widths of some plates (each plate's character boxes), and how
    many plates there were."""
    gaps, widths, plates = [], [], 0
    for boxes in plates_boxes:
        g, w = gaps_and_widths(boxes)
        gaps += g
        widths += w
        plates += 1
    return gaps, widths, plates


def real_endtoend(root: Path, region: str) -> tuple[list[float], list[float], int]:
    import platechar

    reader = platechar.Reader("segmented", region=region)

    def counted_right():
        for scene in read_endtoend(root, region):
            readings = reader.read(scene.image_path)
            if readings and readings[0].chars and len(readings[0].text) == len(scene.text):
                yield [c.box for c in readings[0].chars]

    return measured(counted_right())


def real_crops(root: Path) -> tuple[list[float], list[float], int]:
    from platechar.images import load_image
    from segmentation import segment_characters

    def counted_right():
        for crop in read_seg_and_ocr(root):
            found = segment_characters(load_image(crop.image_path))
            if len(found) == len(crop.text) and found.lines == 1:
                yield [c.box for c in found.characters]

    return measured(counted_right())


def synthetic(style: str, count: int) -> tuple[list[float], list[float], int]:
    """The style's true ink boxes on ``count`` clean plates (seed 3)."""
    from platechar.synth import generate_plates

    return measured(plate.char_boxes for plate in generate_plates(
        count, seed=3, styles=style, augment="none", workers=1))


def line(name: str, measured: tuple[list[float], list[float], int]) -> str:
    gaps, widths, plates = measured
    if not gaps:
        return f"  {name:<28} no plates measured"
    g = np.asarray(gaps)
    p5, p25, p50 = np.percentile(g, [5, 25, 50])
    return (f"  {name:<28} {plates:>5} {p5:>7.3f} {p25:>7.3f} {p50:>7.3f} "
            f"{100 * float((g < TOUCHING).mean()):>8.1f}% {float(np.median(widths)):>7.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="the openalpr-benchmarks folder")
    parser.add_argument("--regions", default="us,eu,br")
    parser.add_argument("--plates", type=int, default=300, help="synthetic plates a style")
    args = parser.parse_args(argv)
    print("gaps between neighbours and widths, as shares of the character height")
    print(f"  {'':<28} {'plates':>5} {'gap p5':>7} {'p25':>7} {'p50':>7} "
          f"{'< ' + str(TOUCHING):>9} {'width':>7}")
    for region in args.regions.split(","):
        print(line(f"real endtoend/{region}", real_endtoend(args.root, region)))
        if region == "us":
            print(line("real seg_and_ocr (us)", real_crops(args.root)))
        print(line(f"synthetic {region}", synthetic(region, args.plates)))  # style = region
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
