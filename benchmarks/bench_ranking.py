"""Measure how often a photo's first reading is its plate: the detector's order against
:meth:`platechar.Reader.rank` (detector score x reading confidence x plate-syntax prior).

For each folder of labelled photos (OpenALPR ``endtoend`` style, or what ``platechar
synth scenes`` writes) and each backend, prints the share of plates read exactly by
the reading put first (as many first readings as the photo has plates), in the
detector's order and in the Reader's, and the lenient share ``platechar compare`` calls
"read exactly" (any candidate over the plate, the most confident deciding). Each photo
is detected once and each candidate read once per backend; both orders rank the same
readings.

    python benchmarks/bench_ranking.py [FOLDER ...] [--region any] [--max-candidates 3]

Without folders: ``endtoend/us``, ``eu`` and ``br`` under ../shared/data/openalpr-benchmarks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import DEFAULT_ROOT  # noqa: E402
from platechar import Reader, open_dataset  # noqa: E402
from platechar.errors import PlatecharError  # noqa: E402
from platechar.evaluation import first_reads, most_confident_over  # noqa: E402

BACKENDS = ("holistic", "segmented")


def measure(folder: Path, region: str, max_candidates: int) -> dict[str, list[int]]:
    """backend -> [plates, first in detector order, first ranked, lenient]."""
    data = open_dataset(folder)
    readers = {b: Reader(b, max_candidates=max_candidates, region=region) for b in BACKENDS}
    counts = {b: [0, 0, 0, 0] for b in BACKENDS}
    for item in data.items:
        try:
            image = item.load()
        except PlatecharError as exc:
            print(f"  {item.name}: {exc}; skipped", file=sys.stderr)
            continue
        candidates = readers[BACKENDS[0]].detect(image)
        scores = [c.score for c in candidates]
        for backend, reader in readers.items():
            readings = [reader.recognize(c.crop) for c in candidates]
            ranked = reader.rank(readings, scores)
            plates = len(item.plates)
            for box, text in item.plates:
                best = most_confident_over(readings, candidates, box)
                tally = counts[backend]
                tally[0] += 1
                tally[1] += first_reads(range(len(readings)), readings, candidates, box, text,
                                        plates)
                tally[2] += first_reads(ranked, readings, candidates, box, text, plates)
                tally[3] += best is not None and best[0].text == text
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--region", default="any")
    parser.add_argument("--max-candidates", type=int, default=3)
    args = parser.parse_args(argv)
    folders = args.folders or [DEFAULT_ROOT / "endtoend" / r for r in ("us", "eu", "br")]
    print(f"first reading read exactly (region {args.region}, "
          f"{args.max_candidates} candidates a photo)")
    print(f"{'photos':>14}{'backend':>11}{'plates':>8}{'detector order':>16}{'ranked':>9}"
          f"{'lenient':>9}")
    for folder in folders:
        for backend, (n, detector, ranked, lenient) in measure(
                folder, args.region, args.max_candidates).items():
            share = [f"{100 * v / max(n, 1):.1f}%" for v in (detector, ranked, lenient)]
            print(f"{folder.name:>14}{backend:>11}{n:>8}{share[0]:>16}{share[1]:>9}"
                  f"{share[2]:>9}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
