"""``platechar evaluate`` and ``platechar compare``: how well, how fast, and why not.

::

    platechar evaluate CROPS_DIR --labels labels.csv [--backend holistic] [--report DIR]
    platechar evaluate labels.csv                  # file names relative to the CSV
    platechar evaluate PLATES_DIR                  # labels taken from file names
    platechar evaluate PHOTOS_DIR                  # OpenALPR .txt label beside each photo
    platechar evaluate --synthetic 500 --seed 1    # made on the fly by platechar.synth
    platechar compare CROPS_DIR --labels labels.csv --report DIR

Both print a table (one column per backend; each share read exactly with its 95% interval)
and the command that reproduces it; ``compare`` adds, for each pair of backends, the
plates only one of them read and an exact McNemar test of that split. ``compare`` also
compares models of one backend: ``--model segmented=shipped --model
segmented=runs/mine/charnet.onnx --backends segmented``. ``--json`` prints
one JSON object instead. A malformed label row, a missing file or an unreadable image is
reported on stderr and skipped; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from platechar.commands._common import (
    add_region_option,
    float_in,
    non_negative_int,
    positive_int,
)


def register(subparsers) -> None:
    for verb in ("evaluate", "compare"):
        _add_parser(subparsers, verb)


def _add_parser(subparsers, verb: str) -> None:
    from platechar.backends import KNOWN_BACKENDS
    from platechar.datasets import KINDS

    if verb == "evaluate":
        summary = "measure one backend on labelled plates"
        description = ("Read labelled plates with one backend and report sequence accuracy, "
                       "character accuracy, accuracy by plate length, confusions, "
                       "confidence calibration, time per stage, and which stage each "
                       "wrong reading came from.")
    else:
        summary = "run both backends on the same plates, side by side"
        description = ("Evaluate the segmented and the holistic backend (or several "
                       "models of one backend, with --model repeated) on the same "
                       "labelled plates and show their measures side by side, with the "
                       "plates they read differently and a paired test of each two.")
    parser = subparsers.add_parser(
        verb, help=summary, description=description,
        epilog="DATA is a labels CSV (filename,text or filename,region,text), a folder of "
        "crops with --labels, a folder whose file names are the plates' texts, or a folder "
        "of photos with OpenALPR label files (photo.txt: 'file x y w h TEXT'). Exit "
        "status: 0 when every item was evaluated, 1 when some were skipped (each is "
        "reported on stderr).")
    parser.add_argument("data", nargs="?", metavar="DATA", help="what to evaluate (see below)")
    parser.add_argument("--labels", metavar="CSV", help="labels for a folder of crops")
    parser.add_argument("--kind", choices=KINDS, default="auto",
                        help="how to read DATA (default: %(default)s, decided by what is there)")
    parser.add_argument("--synthetic", metavar="N", type=positive_int,
                        help="evaluate on N synthetic plates made now (no DATA needed; with "
                        "--kind scenes, N synthetic photos)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed of the synthetic plates (default: %(default)s)")
    parser.add_argument("--style", metavar="STYLES", default=None,
                        help="synthetic plate styles, comma-separated (default: all)")
    if verb == "evaluate":
        parser.add_argument("--backend", choices=KNOWN_BACKENDS, default=KNOWN_BACKENDS[0],
                            help="recognition backend (default: %(default)s)")
        parser.add_argument("--model", metavar="PATH",
                            help="read with this model file of the backend's kind instead of "
                            "the shipped one (the .onnx that 'platechar train chars' or "
                            "'platechar train crnn' exported)")
    else:
        parser.add_argument("--backends", default=",".join(KNOWN_BACKENDS),
                            help="backends to compare, comma-separated (default: %(default)s)")
        parser.add_argument("--show", metavar="N", type=non_negative_int, default=15,
                            help="list the first N plates the backends read differently "
                            "(default: %(default)s)")
        parser.add_argument("--model", metavar="BACKEND=PATH", action="append", default=[],
                            help="read BACKEND's plates with the model file PATH instead of "
                            "its shipped one, e.g. segmented=runs/mine/charnet.onnx; "
                            "repeat for each backend, or for one backend to compare its "
                            "models with each other, one column each (PATH 'shipped': "
                            "the shipped model)")
    parser.add_argument("--limit", metavar="N", type=positive_int,
                        help="evaluate only the first N items")
    parser.add_argument("--max-candidates", metavar="N", type=positive_int, default=3,
                        help="scenes: plate candidates read per photo (default: %(default)s)")
    add_region_option(parser)
    parser.add_argument("--confidence", type=float_in(0, 1), default=0.9,
                        help="report the share and accuracy of plates read at least this "
                        "confidently (default: %(default)s)")
    parser.add_argument("--max-error", type=float_in(0, 1), default=0.01,
                        help="report the share of plates that can be accepted with at most "
                        "this error rate among them (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", metavar="DIR", type=Path,
                        help="write DIR/index.html (plots and the worst errors) and "
                        "DIR/results.json")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run, verb=verb)


def run(args: argparse.Namespace) -> int:
    from platechar.datasets import open_dataset
    from platechar.evaluation import compare, evaluate
    from platechar.report import format_disagreements, format_paired, format_table, write_report

    if args.verb == "evaluate":
        backends = [args.backend]
        models = {} if args.model is None else {args.backend: args.model}
    else:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        models = _backend_models(args.model)
    dataset = open_dataset(args.data, labels=args.labels, kind=args.kind,
                           synthetic=args.synthetic, seed=args.seed, styles=args.style)
    dataset = dataset.limited(args.limit)
    progress = False if args.no_progress else None
    keep = args.report is not None
    if args.verb == "evaluate":
        evaluations = {backends[0]: evaluate(dataset, backends[0], keep_errors=keep,
                                             max_candidates=args.max_candidates,
                                             progress=progress, region=args.region,
                                             model=models.get(backends[0]))}
        disagreements = paired = None
    else:
        comparison = compare(dataset, backends, keep_errors=keep,
                             max_candidates=args.max_candidates, progress=progress,
                             region=args.region, models=models)
        evaluations = comparison.evaluations
        disagreements = comparison.disagreements()
        paired = comparison.paired()
    command = getattr(args, "command_line", None)
    options = {"confidence": args.confidence, "max_error": args.max_error}
    problems = list(dict.fromkeys(p for e in evaluations.values() for p in e.problems))
    for problem in problems:
        print(f"platechar {args.verb}: {problem}", file=sys.stderr)
    if args.json:
        payload = {"command": command, "source": dataset.source,
                   "backends": {b: e.to_dict(**options) for b, e in evaluations.items()}}
        if disagreements is not None:
            payload["disagreements"] = disagreements
            payload["paired"] = paired
        print(json.dumps(payload))
    else:
        print(format_table(evaluations, command=command, **options))
        if paired:
            print(format_paired(paired))
        if disagreements is not None:
            print(format_disagreements(disagreements, args.show))
    sys.stdout.flush()
    if args.report is not None:
        index = write_report(evaluations, args.report, disagreements=disagreements,
                             paired=paired, command=command, **options)
        print(f"report: {index}", file=sys.stderr)
    return 1 if problems else 0


def _backend_models(specs: list[str]) -> dict[str, str | list[str]]:
    """``--model BACKEND=PATH`` options as ``{backend: path}``, or ``{backend: [path,
    ...]}`` for a backend given several (each then its own column; ``shipped`` names the
    shipped model). A malformed one is a :class:`PlatecharError` that says what was
    expected."""
    from platechar.errors import PlatecharError

    models: dict[str, list[str]] = {}
    for spec in specs:
        backend, sep, path = spec.partition("=")
        backend, path = backend.strip(), path.strip()
        if not sep or not backend or not path:
            raise PlatecharError(f"--model {spec!r}: expected BACKEND=PATH, e.g. "
                                 "segmented=runs/mine/charnet.onnx")
        models.setdefault(backend, []).append(path)
    return {b: paths[0] if len(paths) == 1 else paths for b, paths in models.items()}
