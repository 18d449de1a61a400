"""Is one model of a backend better than another? Both read the same real plates.

    python benchmarks/bench_models.py runs/mine/charnet.onnx              # against shipped
    python benchmarks/bench_models.py A.onnx B.onnx --region              # each set's syntax
    python benchmarks/bench_models.py runs/mine/crnn.onnx --backend holistic
    python benchmarks/bench_models.py shipped runs/old/charnet.onnx --record   # into the sidecar

Reads four sets with both models through :func:`platechar.compare` (the reader as a
user has it: detection on the photos, segmentation or the CRNN, the plate syntax with
``--region``): the 155 held-out crops of ``seg_and_ocr`` (never trained on; labels
corrected as in the other benchmarks) and the photos of ``endtoend/us``, ``eu`` and
``br``. For each set and for all of them pooled it prints the share each model reads
exactly, the plates only one of them reads and the exact McNemar test of that split.

Why pooled: each set alone is small. A retrained character CNN can read the held-out
crops as well as the shipped one and still lose US photos, or win European ones; two
models that differ by a few plates on each set can only be told apart on all of them
(benchmarks/HISTORY.md, "The script end to end, and the photos"). Pooling treats every
plate as one more paired trial, whichever set it came from.

``--record`` writes MODEL's figures (each set's and the pooled share read exactly, and
the paired split against the other model) into MODEL's JSON sidecar, under ``measured``
(``real_plates``, or ``real_plates_with_region`` with ``--region``), so a shipped model
says how it reads real plates with the command that measured it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import (  # noqa: E402
    DEFAULT_ROOT,
    add_label_argument,
    describe_labels,
    read_seg_and_ocr,
    record_measured,
    write_labels_csv,
)

SETS = (("held-out crops", "us"), ("endtoend/us", "us"), ("endtoend/eu", "eu"),
        ("endtoend/br", "br"))
"""Each set's name and the region of its plates (the syntax read with ``--region``)."""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a model file (.onnx; its .json beside it)")
    parser.add_argument("against", nargs="?", default="shipped",
                        help="the model to compare with (default: shipped)")
    parser.add_argument("--backend", choices=("segmented", "holistic"), default="segmented")
    parser.add_argument("--region", action="store_true",
                        help="read each set with its plates' syntax (us, eu, br) instead of "
                             "the default region 'any'")
    parser.add_argument("--data", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--sets", default=",".join(name for name, _ in SETS),
                        help="the sets to read, comma-separated (default: all four)")
    parser.add_argument("--record", action="store_true",
                        help="write MODEL's figures into its .json sidecar ('measured')")
    add_label_argument(parser)
    args = parser.parse_args(argv)
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(wanted) - {name for name, _ in SETS})
    if unknown:
        parser.error(f"unknown sets {unknown}; the sets are {[name for name, _ in SETS]}")
    if not args.data.is_dir():
        parser.error(f"no data at {args.data} (give --data: the openalpr-benchmarks folder)")

    import platechar

    rows, model_file = [], None
    with tempfile.TemporaryDirectory() as scratch:
        for name, region in SETS:
            if name not in wanted:
                continue
            try:
                data = _open_set(name, args.data, Path(scratch), raw=args.raw_labels)
                result = platechar.compare(
                    data, [args.backend], models={args.backend: [args.against, args.model]},
                    region=region if args.region else None, progress=False)
            except platechar.PlatecharError as exc:
                print(f"bench_models: {exc}", file=sys.stderr)
                return 1
            against_column, model_column = result.evaluations  # column names, in order
            rows.append((name, *result.paired_right(against_column, model_column)))
            model_file = result.evaluations[model_column].model
    print(f"{args.backend} backend, region {'of each set' if args.region else 'any'}; "
          f"A = {args.against}, B = {args.model}")
    if "held-out crops" in wanted:
        print(describe_labels(args.raw_labels))
    print(format_rows(rows))
    if args.record and rows:
        sidecar = record(rows, _sidecar(model_file, args.backend), against=args.against,
                         region=args.region, raw=args.raw_labels)
        print(f"recorded in {sidecar}")
    return 0


def _sidecar(model_file: str | None, backend: str) -> Path:
    """The JSON sidecar of the model a column read with (``None``: the shipped one)."""
    if model_file is None:
        from classifier.charnet import SHIPPED_WEIGHTS
        from platechar.training.crnn import SHIPPED

        model_file = SHIPPED_WEIGHTS if backend == "segmented" else SHIPPED
    return Path(model_file).with_suffix(".json")


def record(rows: list[tuple[str, list[bool], list[bool]]], sidecar: Path, *, against: str,
           region: bool, raw: bool) -> Path:
    """Write B's figures (each row's ``b`` column) into ``sidecar``'s ``measured``."""
    from platechar.metrics import paired_test

    pooled_a, pooled_b = pooled(rows)
    test = paired_test(pooled_a, pooled_b)
    figures = {
        "benchmark": "python benchmarks/bench_models.py" + (" --region" if region else ""),
        "region": "each set's" if region else "any",
        "labels": "held-out crops: groundtruth.csv as it is" if raw else
                  "held-out crops: groundtruth.csv with benchmarks/_data.py's "
                  "LABEL_CORRECTIONS",
        "sets": {name: {"plates": len(b), "exact": round(sum(b) / max(1, len(b)), 4)}
                 for name, _, b in rows},
        "pooled": {"plates": len(pooled_b), "read": sum(pooled_b),
                   "exact": round(sum(pooled_b) / max(1, len(pooled_b)), 4)},
        "against": {"model": against, "read": sum(pooled_a), "only_this": test["only_b"],
                    "only_against": test["only_a"], "p": round(test["p"], 4)},
    }
    return record_measured(sidecar, "real_plates_with_region" if region else "real_plates",
                           figures)


def _open_set(name: str, root: Path, scratch: Path, *, raw: bool):
    import platechar

    if name == "held-out crops":
        crops = read_seg_and_ocr(root, part="test", corrected=not raw)
        return platechar.open_dataset(write_labels_csv(crops, scratch / "held_out.csv"))
    return platechar.open_dataset(root / name)


def pooled(rows: list[tuple[str, list[bool], list[bool]]]) -> tuple[list[bool], list[bool]]:
    """Every set's plates as one paired list per model, set after set."""
    return [x for _, a, _ in rows for x in a], [x for _, _, b in rows for x in b]


def format_rows(rows: list[tuple[str, list[bool], list[bool]]]) -> str:
    """A table: per set and pooled, the plates, each model's share read exactly, the
    plates only one reads, and the exact McNemar p of that split."""
    from platechar.metrics import paired_test

    if len(rows) > 1:
        rows = [*rows, ("all, pooled", *pooled(rows))]
    lines = [f"{'set':<16}{'plates':>7}{'A exact':>9}{'B exact':>9}{'only A':>8}"
             f"{'only B':>8}{'p':>8}"]
    for name, a, b in rows:
        test = paired_test(a, b)
        n = max(1, len(a))
        lines.append(f"{name:<16}{len(a):>7}{sum(a) / n:>9.1%}{sum(b) / n:>9.1%}"
                     f"{test['only_a']:>8}{test['only_b']:>8}{test['p']:>8.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
