"""Showing evaluations: a table for the terminal and a self-contained HTML report.

:func:`format_table` puts one column per backend (one for ``evaluate``, two for
``compare``); :func:`write_report` writes ``index.html`` with its plots embedded as PNG
(confusion matrix, accuracy by plate length, calibration curve, errors by stage) and a
gallery of the worst errors with their stage images, plus ``results.json`` holding every
figure and every plate's reading. Plots are drawn with matplotlib's object API, so a
report never touches the pyplot state of a notebook that calls it.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np

from platechar.errors import PlatecharError
from platechar.evaluation import Evaluation

GALLERY = 12
"""Wrong readings shown per backend in a report: the most confident ones first (a
confident error is the costliest: nothing flags it for a person to check)."""


def format_table(evaluations: dict[str, Evaluation], *, confidence: float = 0.9,
                 max_error: float = 0.01, command: str | None = None,
                 results: dict[str, dict] | None = None) -> str:
    """The measures of one or more backends side by side, as plain text (``results``:
    their :meth:`Evaluation.metrics` when the caller has them already)."""
    names = list(evaluations)
    results = results or {b: e.metrics(confidence=confidence, max_error=max_error)
                          for b, e in evaluations.items()}
    first = next(iter(evaluations.values()))
    rows: list[tuple[str, list[str]]] = []

    def row(label, values):
        rows.append((label, [str(v) for v in values]))

    def each(fn):
        return [fn(results[b]) for b in names]

    def share(value):
        return "-" if value is None else f"{value:.1%}"

    row("plates", each(lambda m: m["plates"]))
    row("read exactly", each(lambda m: f"{m['exact']:.1%}"))
    row("  95% interval", each(lambda m: "{:.1%}-{:.1%}".format(*m["exact_interval"])))
    if any("exact_first" in results[b] for b in names):
        row("read exactly, first reading", each(lambda m: share(m.get("exact_first"))))
    row("character accuracy", each(lambda m: f"{m['char_accuracy']:.1%}"))
    row("CER", each(lambda m: f"{m['cer']:.3f}"))
    if first.detection is not None:
        row("detection recall (best)", each(lambda m: f"{m['detection']['best']['recall']:.1%}"))
        row("detection precision (best)",
            each(lambda m: f"{m['detection']['best']['precision']:.1%}"))
        row("detection F1 (best)", each(lambda m: f"{m['detection']['best']['f1']:.1%}"))
        row("detection recall (all)", each(lambda m: f"{m['detection']['all']['recall']:.1%}"))
        row("detection AP", each(lambda m: f"{m['detection']['average_precision']:.3f}"))
    row(f"confidence >= {confidence:g}: plates", each(lambda m: f"{m['above']['accepted']:.1%}"))
    row(f"confidence >= {confidence:g}: right", each(lambda m: share(m["above"]["accuracy"])))
    row(f"accepted at <= {max_error:.1%} error", each(lambda m: share(m["accept"]["accepted"])))
    row("  from confidence", each(lambda m: "-" if m["accept"]["threshold"] is None
                                  else f"{m['accept']['threshold']:.3f}"))
    row("ms per plate (median)", each(lambda m: f"{m['ms_median']:.2f}"))
    row("plates per second", each(lambda m: f"{m['plates_per_second']:.0f}"))
    stages = list(dict.fromkeys(s for b in names for s in results[b]["stage_ms"]))
    for stage in stages:
        row(f"  {stage} ms", each(lambda m, s=stage: f"{m['stage_ms'][s]:.2f}"
                                  if s in m["stage_ms"] else ""))
    row("wrong readings, by stage", each(lambda m: sum(m["errors"].values())))
    sources = list(dict.fromkeys(s for b in names for s in results[b]["errors"]))
    for source in sources:
        row(f"  {source}", each(lambda m, s=source: m["errors"].get(s, "")))
    lengths = sorted({n for b in names for n in results[b]["by_length"]})
    if len(lengths) > 1:
        row("read exactly, by length", ["" for _ in names])
        for n in lengths:
            row(f"  length {n}", each(lambda m, n=n: _by_length(m, n)))
    row("skipped items", each(lambda m: m["skipped"]))

    label_width = max(len(label) for label, _ in rows) + 2
    width = max(13, *(len(b) + 2 for b in names))
    lines = [f"{first.source}"]
    lines += [f"{b} reads with the model {e.model}" for b, e in evaluations.items()
              if e.model is not None]
    lines.append(" " * label_width + "".join(f"{b:>{width}}" for b in names))
    lines += [f"{label:<{label_width}}" + "".join(f"{v:>{width}}" for v in values)
              for label, values in rows]
    for b in names:
        confused = results[b]["substitutions"][:8]
        if confused:
            lines.append(f"{b} confuses (truth->read): "
                         + ", ".join(f"{t}->{r} {k}" for t, r, k in confused))
    if command:
        lines.append(f"reproduce: {command}")
    return "\n".join(lines)


def format_paired(pairs: list[dict]) -> str:
    """Two lines per pair of backends: the plates only one of them read, and how likely
    such a split is between equally good backends; then the plates both and neither
    read (see :meth:`Comparison.paired`)."""
    lines = []
    for pair in pairs:
        verdict = ("unlikely to be luck" if pair["p"] < 0.05
                   else "could be luck on this many plates")
        lines.append(f"{pair['a']} vs {pair['b']} on the same {pair['plates']} plates: "
                     f"{pair['only_a']} read only by {pair['a']}, {pair['only_b']} only by "
                     f"{pair['b']}; exact McNemar p = {pair['p']:.3g} ({verdict})")
        lines.append(f"  {pair['both']} read by both, {pair['neither']} by neither: "
                     f"at least one of them reads {pair['either']:.1%}")
    return "\n".join(lines)


def format_disagreements(rows: list[dict], limit: int) -> str:
    """The first ``limit`` plates the backends read differently, one per line."""
    if not rows:
        return "the backends agree on every plate"
    lines = [f"{len(rows)} plates read differently" + (f" (first {limit}):" if limit < len(rows)
                                                       else ":")]
    for r in rows[:limit]:
        reads = "  ".join(f"{b}={(t or '-')}{'' if r['right'][b] else ' x'}"
                          for b, t in r["reads"].items())
        lines.append(f"  {r['name']}: truth {r['truth']}  {reads}")
    return "\n".join(lines)


def _by_length(m: dict, n: int) -> str:
    cell = m["by_length"].get(n)
    return "" if cell is None else f"{cell['exact']:.0%} of {cell['plates']}"


def write_report(evaluations: dict[str, Evaluation], folder: str | Path, *,
                 disagreements: list[dict] | None = None, paired: list[dict] | None = None,
                 confidence: float = 0.9, max_error: float = 0.01,
                 command: str | None = None) -> Path:
    """Write ``folder/index.html`` (self-contained: plots embedded) and
    ``folder/results.json``; returns the HTML file's path. ``paired``: the backends
    compared plate by plate (:meth:`Comparison.paired`), shown under the table."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlatecharError(f"cannot create the report folder '{folder}': "
                             f"{exc.strerror or exc}") from None
    options = {"confidence": confidence, "max_error": max_error}
    saved = {b: e.to_dict(**options) for b, e in evaluations.items()}
    payload = {"command": command, "backends": saved, "disagreements": disagreements,
               "paired": paired}
    results = {b: saved[b]["metrics"] for b in evaluations}  # measured once, used throughout
    table = format_table(evaluations, command=command, results=results, **options)
    figures = [
        ("Errors by stage", "Which stage each wrong reading is blamed on. Segmented: the "
         "segmentation found the wrong number of characters, or the CNN misread one. "
         "Holistic: the CRNN misread the plate. Scenes add plates the detector missed.",
         _errors_figure(results)),
        ("Accuracy by plate length", "Share of plates read exactly, by the number of "
         "characters on the plate.", _length_figure(results)),
        ("Calibration", "Accuracy of the plates in each confidence bin against the bin's "
         "mean confidence; a calibrated backend stays on the diagonal. Marker area shows "
         "how many plates fall in the bin.", _calibration_figure(results)),
        ("Character confusions", "Aligned substitutions (true character, row; read "
         "character, column) among the characters ever confused.",
         _confusion_figure(results)),
    ]
    source = next(iter(evaluations.values())).source
    parts = [f"<h1>platechar evaluation</h1><p>{html.escape(source)}</p>"]
    if command:
        parts.append(f"<p>Reproduce: <code>{html.escape(command)}</code></p>")
    parts.append(f"<pre>{html.escape(table)}</pre>")
    if paired:
        parts.append(f"<p>{html.escape(format_paired(paired))}</p>".replace("\n", "<br>"))
    for title, text, figure in figures:
        if figure is not None:
            parts.append(f"<h2>{title}</h2><p>{text}</p>{_img(figure)}")
    for backend, evaluation in evaluations.items():
        gallery = _gallery_figure(evaluation)
        if gallery is not None:
            parts.append(f"<h2>Worst errors: {backend}</h2><p>The most confident wrong "
                         "readings: what a person would not be asked to check."
                         f"{_gallery_note(evaluation.backend)}</p>{_img(gallery)}")
    if disagreements:
        rows = "".join(
            "<tr><td>{}</td><td>{}</td>{}</tr>".format(
                html.escape(r["name"]), r["truth"],
                "".join(f"<td class={'ok' if r['right'][b] else 'bad'}>"
                        f"{html.escape(t or '-')}</td>" for b, t in r["reads"].items()))
            for r in disagreements)
        head = "".join(f"<th>{b}</th>" for b in evaluations)
        parts.append(f"<h2>Where the backends disagree ({len(disagreements)} plates)</h2>"
                     f"<table><tr><th>plate</th><th>truth</th>{head}</tr>{rows}</table>")
    problems = [p for e in evaluations.values() for p in e.problems]
    if problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in dict.fromkeys(problems))
        parts.append(f"<h2>Skipped items</h2><ul>{items}</ul>")
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>platechar evaluation"
            "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
            "padding:0 1em}img{max-width:100%}pre{background:#f4f4f4;padding:1em;"
            "overflow-x:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
            "padding:2px 8px;font-family:monospace}.ok{background:#dfd}.bad{background:#fdd}"
            "</style></head><body>" + "\n".join(parts) + "</body></html>")
    index = folder / "index.html"
    try:
        index.write_text(page, encoding="utf-8")
        (folder / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    except OSError as exc:
        raise PlatecharError(f"cannot write the report into '{folder}': "
                             f"{exc.strerror or exc}") from None
    return index


def _gallery_note(backend: str) -> str:
    if backend == "segmented":
        return (" Each plate: the crop with the characters' boxes, then the blobs the "
                "segmentation kept (green) and rejected.")
    return " Each plate: the crop with the columns that produced each character."


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _img(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='' src='data:image/png;base64,{encoded}'>"


def _errors_figure(results):
    figure = _figure(7, 0.6 + 0.5 * sum(len(m["errors"]) for m in results.values()))
    axes = figure.add_subplot()
    labels, counts = [], []
    for backend, measured in results.items():
        for source, count in measured["errors"].items():
            labels.append(f"{backend}: {source}")
            counts.append(count)
    axes.barh(labels[::-1], counts[::-1], color="#c0504d")
    axes.set_xlabel("wrong readings")
    axes.set_title("Wrong readings by the stage they came from")
    for y, count in enumerate(counts[::-1]):
        axes.text(count, y, f" {count}", va="center")
    return figure


def _length_figure(results):
    lengths = sorted({n for m in results.values() for n in m["by_length"]})
    if not lengths:
        return None
    figure = _figure(7, 3.5)
    axes = figure.add_subplot()
    width = 0.8 / len(results)
    for k, (backend, measured) in enumerate(results.items()):
        table = measured["by_length"]
        xs = [i + k * width for i, n in enumerate(lengths) if n in table]
        ys = [100 * table[n]["exact"] for n in lengths if n in table]
        axes.bar(xs, ys, width, label=backend)
    plates = next(iter(results.values()))["by_length"]
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(lengths))],
                    [f"{n}\n({plates.get(n, {}).get('plates', 0)})" for n in lengths])
    axes.set_xlabel("characters on the plate (plates)")
    axes.set_ylabel("read exactly (%)")
    axes.set_ylim(0, 105)
    axes.set_title("Accuracy by plate length")
    axes.legend()
    return figure


def _calibration_figure(results):
    figure = _figure(5, 4.5)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], color="gray", linestyle="--", label="calibrated")
    for backend, measured in results.items():
        bins = measured["calibration"]
        if bins:
            xs = [b["confidence"] for b in bins]
            ys = [b["accuracy"] for b in bins]
            sizes = [20 + 200 * b["plates"] / max(1, measured["plates"]) for b in bins]
            line = axes.plot(xs, ys, label=backend)[0]
            axes.scatter(xs, ys, s=sizes, color=line.get_color())
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("confidence (bin mean)")
    axes.set_ylabel("share read exactly")
    axes.set_title("Confidence calibration")
    axes.legend(loc="upper left")
    return figure


def _confusion_figure(results):
    tables = {b: m["substitutions"] for b, m in results.items()}
    if not any(tables.values()):
        return None
    figure = _figure(5.5 * len(tables), 5.2)
    for k, (backend, substitutions) in enumerate(tables.items()):
        axes = figure.add_subplot(1, len(tables), k + 1)
        chars = sorted({c for t, r, _ in substitutions for c in (t, r)})[:30]
        index = {c: i for i, c in enumerate(chars)}
        matrix = np.zeros((len(chars), len(chars)), int)
        for t, r, count in substitutions:
            if t in index and r in index:
                matrix[index[t], index[r]] = count
        axes.imshow(matrix, cmap="Reds")
        axes.set_xticks(range(len(chars)), chars)
        axes.set_yticks(range(len(chars)), chars)
        for (i, j), count in np.ndenumerate(matrix):
            if count:
                axes.text(j, i, str(count), ha="center", va="center", fontsize=8)
        axes.set_xlabel("read as")
        axes.set_ylabel("true character")
        axes.set_title(f"{backend}: substitutions" if substitutions else f"{backend}: none")
    return figure


def _gallery_figure(evaluation: Evaluation):
    import cv2

    wrong = sorted((o for o in evaluation.outcomes if o.crop is not None),
                   key=lambda o: -o.confidence)[:GALLERY]
    if not wrong:
        return None
    columns = 2 if evaluation.backend == "segmented" else 1
    per_row = 3 if columns == 1 else 2
    rows = (len(wrong) + per_row - 1) // per_row
    figure = _figure(11, 1.9 * rows)
    grid = figure.add_gridspec(rows, per_row * columns)
    for k, outcome in enumerate(wrong):
        crop = outcome.crop
        boxed = crop.copy() if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        for char in outcome.reading.chars if outcome.reading is not None else ():
            if char.box is not None:
                x, y, w, h = char.box
                cv2.rectangle(boxed, (x, y), (x + w - 1, y + h - 1), (0, 0, 255), 1)
        panels = [boxed]
        if columns == 2:
            stages: dict = {}
            from segmentation import segment_characters

            segment_characters(crop, stages=stages)
            panels.append(stages.get("blobs", boxed))
        r, c = divmod(k, per_row)
        for p, panel in enumerate(panels):
            axes = figure.add_subplot(grid[r, c * columns + p])
            shown = panel if panel.ndim == 2 else panel[..., ::-1]
            axes.imshow(shown, cmap="gray" if panel.ndim == 2 else None)
            axes.set_axis_off()
            if p == 0:
                axes.set_title(f"{outcome.truth} read {outcome.read or '-'}\n"
                               f"{outcome.confidence:.2f}, {outcome.error}", fontsize=8,
                               loc="left")
    return figure
