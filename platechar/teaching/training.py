"""Training curves: loss and accuracy per epoch from a run folder's ``log.csv``
(written by Keras' CSVLogger in ``platechar train chars`` and ``platechar train crnn``)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from platechar.errors import PlatecharError
from platechar.teaching.drawing import WIDTH, new_figure, styled
from platechar.teaching.sections import DemoSection

CURVE_LABELS = {
    "loss": "training loss",
    "val_loss": "validation loss",
    "accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "char_acc": "training character accuracy",
    "val_char_acc": "validation character accuracy",
    "seq_acc": "training plate accuracy (whole text exact)",
    "val_seq_acc": "validation plate accuracy (whole text exact)",
    "learning_rate": "learning rate",
    "lr": "learning rate",
}


def log_path(run_dir) -> Path:
    path = Path(run_dir)
    if path.is_file() and path.suffix == ".csv":
        return path
    if not path.exists():
        raise PlatecharError(f"'{run_dir}' does not exist: give a training run folder "
                             "(e.g. runs/chars-20261122-043954) or its log.csv")
    if not path.is_dir():
        raise PlatecharError(f"'{run_dir}' is neither a run folder nor a .csv log")
    log = path / "log.csv"
    if not log.is_file():
        raise PlatecharError(f"'{run_dir}' has no log.csv: is it a run folder made by "
                             "'platechar train chars' or 'platechar train crnn'?")
    return log


def read_training_log(run_dir) -> dict[str, list[float]]:
    """The columns of a run's ``log.csv`` (Keras' CSVLogger: one row per epoch) as
    ``{column: values}``; ``run_dir`` may also be the CSV file itself. Empty cells
    become NaN."""
    log = log_path(run_dir)
    try:
        with open(log, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PlatecharError(f"cannot read '{log}': {exc}") from None
    if not rows:
        raise PlatecharError(f"'{log}' holds no epochs yet (only a header, or nothing)")
    if "epoch" not in rows[0]:
        raise PlatecharError(f"'{log}' is not a Keras training log: it has no 'epoch' column")
    columns: dict[str, list[float]] = {}
    for name in rows[0]:
        try:
            columns[name] = [float(row[name]) if row[name] not in ("", None) else math.nan
                             for row in rows]
        except (TypeError, ValueError):
            continue  # a column that is not numbers is not a curve
    return columns


@styled
def training_curves(run_dir):
    """Loss and accuracy per epoch, training and validation, from a run folder.

    ``run_dir``: a folder made by ``platechar train chars|crnn`` (holding ``log.csv``,
    written by Keras' CSVLogger), or the CSV itself. Panels: every loss column, every
    accuracy column and, when it changed during the run, the learning rate. A dotted
    line marks the best validation epoch. Raises :class:`PlatecharError` for a folder
    without a usable ``log.csv``.
    """
    columns = read_training_log(run_dir)
    name = log_path(run_dir).parent.name
    epochs = np.asarray(columns.pop("epoch")) + 1
    losses = [c for c in columns if "loss" in c]
    accuracies = [c for c in columns if "acc" in c]
    rates = [c for c in columns if c in ("learning_rate", "lr")
             and len(set(columns[c])) > 1]
    panels = [(title, names, label) for title, names, label in (
        ("Loss (lower is better)", losses, "loss"),
        ("Accuracy (higher is better)", accuracies, "accuracy (0..1)"),
        ("Learning rate", rates, "learning rate (log scale)")) if names]
    if not panels:
        raise PlatecharError(f"the log of '{run_dir}' has no loss or accuracy column")
    figure = new_figure(WIDTH, 4.2)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    best_epoch = _best_epoch(columns, epochs)
    marker = "o" if len(epochs) <= 40 else None
    for ax, (title, names, label) in zip(axes, panels, strict=True):
        for column in names:
            values = np.asarray(columns[column])
            style = "--" if column.startswith("val_") else "-"
            ax.plot(epochs, values, style, marker=marker, markersize=3,
                    label=CURVE_LABELS.get(column, column))
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        if label.startswith("learning"):
            ax.set_yscale("log")
        elif label == "accuracy (0..1)":
            ax.set_ylim(-0.02, 1.02)
        elif _spans_decades(columns, names):
            ax.set_yscale("log")
            ax.set_ylabel("loss (log scale)")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="0.4", linestyle=":", linewidth=1.2,
                       label=f"best validation epoch ({best_epoch})")
        ax.legend()
        ax.grid(alpha=0.3)
        if len(epochs) <= 12:
            ax.set_xticks(epochs)
    figure.suptitle(f"Training run '{name}': {len(epochs)} epoch"
                    f"{'s' if len(epochs) != 1 else ''}")
    return figure


def _best_epoch(columns: dict, epochs: np.ndarray) -> int | None:
    for column, better in (("val_accuracy", np.nanargmax), ("val_seq_acc", np.nanargmax),
                           ("val_loss", np.nanargmin)):
        values = np.asarray(columns.get(column, []), float)
        if values.size and np.isfinite(values).any():
            return int(epochs[int(better(values))])
    return None


def _spans_decades(columns: dict, names: list[str]) -> bool:
    values = np.concatenate([np.asarray(columns[c], float) for c in names])
    values = values[np.isfinite(values) & (values > 0)]
    return bool(values.size) and values.max() / values.min() > 30


def training_section(run_dir) -> DemoSection:
    """A section with the training curves of a run folder (see :func:`training_curves`)."""
    figure = training_curves(run_dir)
    name = log_path(run_dir).parent.name
    return DemoSection("Training", f"How the network in run folder '{name}' learnt, epoch by "
                       "epoch (from its log.csv, written by Keras' CSVLogger).",
                       {"training_curves": figure})
