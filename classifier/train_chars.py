"""Training the character CNN from folders of character images, one folder per class.

The network learns from examples: each batch of characters is pushed through it, the
cross-entropy between its probabilities and the true classes is measured, and
back-propagation nudges every weight to lower it (Adam). Two guards keep it honest:

* **augmentation**: Keras' ``ImageDataGenerator`` shifts, rotates, zooms, shears and
  brightens every training image at random, a little, each time it is seen, so the
  network meets a slightly different character every epoch and learns the shape, not
  the pixels;
* **validation**: a share of the images is held out (``validation_split``) and never
  trained on; its accuracy after each epoch says how well the network generalises.
  Training stops when that stops improving (EarlyStopping, which then restores the best
  weights) or once it passes a target (:class:`StopAtAccuracy`).

With several folders, validation accuracy is also measured per folder each epoch
(``val_accuracy_<folder>`` in the logs, :class:`FolderValidation`). By default the best
epoch is the one with the best accuracy over all validation images pooled; with
``select_by="balanced"`` it is the one with the best *mean of the folders' accuracies*,
so that 100 real characters count as much as 6,000 synthetic ones; with
``select_by="last"`` the last epoch is kept, a fixed schedule, for when no validation set
can tell the epochs apart (100 real characters are all read right after two epochs of a
fine-tune, so "balanced" then keeps an early epoch by the synthetic folder's accuracy).

Data: one or more folders laid out as ``flow_from_directory`` expects (``DIR/A/*.png``,
``DIR/7/*.png``...; ``platechar synth chars`` and ``platechar harvest`` write this).
Several folders (synthetic plus real characters) are read by one ``flow_from_directory``
each and their batches interleaved at random; nothing is copied or linked. A small folder
can be oversampled with ``repeat`` (``--repeat DIR=N``): its training batches are then
seen N times an epoch, each time augmented afresh, so that 1,000 real characters are not
drowned by 60,000 synthetic ones. Validation and test images are never repeated.

Each run gets its own folder::

    RUN/config.json              hyper-parameters and the data used
    RUN/log.csv                  loss and accuracy per epoch (CSVLogger)
    RUN/tensorboard/             TensorBoard logs: tensorboard --logdir RUN/tensorboard
    RUN/checkpoints/best.keras   the best epoch so far (by validation accuracy)
    RUN/checkpoints/last.keras   the latest epoch
    RUN/charnet.{keras,onnx,json}  the exported model (or where ``export`` says)
    RUN/result.json              what came out: epochs run, accuracies, seconds

This module imports TensorFlow only inside the functions that train.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifier.charnet import ALPHABET, INPUT_SHAPE, INPUT_SIZE, KIND, build_charnet
from classifier.model_io import (
    ModelFileError,
    check_sidecar,
    load_keras_model,
    read_sidecar,
    save_model,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")

SYNTH_MANIFEST = "synth.json"
"""What ``platechar synth`` leaves beside the data it writes (its settings and fonts): a
mirror of ``platechar.synth.writers.MANIFEST``, as the classifier stage does not import
platechar (a test checks that the two agree)."""


SELECT_BY = {"pooled": "val_accuracy", "balanced": "val_balanced_accuracy",
             "last": "val_accuracy"}
"""How the epoch kept may be chosen, and the logged validation metric each one watches
(``last`` keeps the last epoch; early stopping and the best checkpoint then watch the
pooled accuracy)."""


class DataDirError(ValueError):
    """A training or test folder is missing, empty or not laid out one folder per class."""


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of a training run (written to ``config.json``).

    epochs: most passes over the training images (early stopping may end sooner).
    batch_size: images per gradient step.
    learning_rate: Adam's step size (use a smaller one, e.g. 3e-4, to fine-tune).
    validation_split: share of the images held out for validation, taken per run
        after a seeded shuffle (so every class is represented).
    patience: epochs without a better validation accuracy before stopping.
    lr_patience: epochs without a lower validation loss before the learning rate is
        cut to 30% (ReduceLROnPlateau); keep it below ``patience``.
    target_accuracy: stop as soon as validation accuracy reaches this (None: never).
    select_by: which validation accuracy chooses the best epoch (early stopping, the
        best checkpoint, ``target_accuracy``): ``"pooled"``, over all validation images
        together, or ``"balanced"``, the mean of each data folder's own accuracy (a
        small real folder then weighs as much as a large synthetic one), or ``"last"``,
        the last epoch run, whatever validation says.
    seed: shuffling, the split, augmentation and weight initialisation.
    filters, dense: the network's size (see ``classifier.charnet``); ignored with
        ``init_from``, which keeps the loaded network's shape.
    shift, rotation, zoom, shear, brightness: augmentation ranges: shift as a share of
        the side, rotation and shear in degrees, zoom as +/- a share, brightness as
        (low, high) factors.
    init_from: a ``.keras`` character model to start from (fine-tuning).
    workers: threads that load and augment images while the network trains.
    """

    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 1e-3
    validation_split: float = 0.1
    patience: int = 5
    lr_patience: int = 2
    target_accuracy: float | None = None
    select_by: str = "pooled"
    seed: int = 0
    filters: tuple[int, ...] = (16, 32, 64)
    dense: int = 128
    shift: float = 0.08
    rotation: float = 6.0
    zoom: float = 0.08
    shear: float = 6.0
    brightness: tuple[float, float] = (0.6, 1.2)
    init_from: str | None = None
    workers: int = 2

    def __post_init__(self) -> None:
        checks = [
            (self.epochs >= 1, "epochs must be >= 1"),
            (self.batch_size >= 1, "batch_size must be >= 1"),
            (self.learning_rate > 0, "learning_rate must be > 0"),
            (0 < self.validation_split < 1, "validation_split must be between 0 and 1"),
            (self.patience >= 0 and self.lr_patience >= 0, "patience must be >= 0"),
            (self.target_accuracy is None or 0 < self.target_accuracy <= 1,
             "target_accuracy must be in (0, 1]"),
            (self.workers >= 1, "workers must be >= 1"),
            (self.select_by in SELECT_BY, f"select_by must be one of {', '.join(SELECT_BY)}"),
            (len(self.brightness) == 2 and 0 < self.brightness[0] <= self.brightness[1],
             "brightness must be (low, high) with 0 < low <= high"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


@dataclass
class TrainResult:
    """What a run produced: its folder, the exported files and the measured accuracy."""

    run_dir: Path
    exported: dict[str, Path]
    epochs_run: int
    best_epoch: int
    val_accuracy: float
    test_accuracy: float | None
    train_images: int
    val_images: int
    seconds: float
    history: dict[str, list[float]] = field(default_factory=dict)
    val_folders: dict[str, float] = field(default_factory=dict)
    """Each data folder's validation accuracy with the exported weights."""
    val_balanced_accuracy: float | None = None
    """The mean of ``val_folders``."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["run_dir"] = str(self.run_dir)
        out["exported"] = {k: str(v) for k, v in self.exported.items()}
        return out


# --- data ---------------------------------------------------------------------------


def scan_char_dirs(data_dirs: Sequence[str | Path] | str | Path,
                   alphabet: str = ALPHABET) -> tuple[list[str], list[str], dict[str, Any]]:
    """List the images of one or more one-folder-per-class directories.

    Returns ``(files, labels, description)``: absolute file paths, their class (the
    folder's name) and a summary (folders, image counts per class) for the sidecar.
    Hidden folders and files that are not images are skipped; a folder whose name is
    not a class of ``alphabet`` is refused, so that ``a/`` or ``O_/`` are not silently
    ignored.
    """
    if isinstance(data_dirs, (str, Path)):
        data_dirs = [data_dirs]
    if not data_dirs:
        raise DataDirError("no data folder given")
    files: list[str] = []
    labels: list[str] = []
    per_dir = []
    for data_dir in data_dirs:
        root = Path(data_dir)
        if not root.is_dir():
            raise DataDirError(f"{root}: no such folder")
        subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        unknown = [p.name for p in subdirs if p.name not in alphabet or len(p.name) != 1]
        if unknown:
            raise DataDirError(f"{root}: folders {', '.join(unknown[:5])} are not classes; "
                               f"expected one folder per character of {alphabet}")
        count = 0
        for sub in subdirs:
            for path in sorted(sub.iterdir()):
                if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                    files.append(str(path.resolve()))
                    labels.append(sub.name)
                    count += 1
        if count == 0:
            raise DataDirError(f"{root}: no character images found; expected one folder per "
                               f"class (e.g. {root}/A/*.png), as 'platechar synth chars' writes")
        entry = {"dir": str(data_dir), "images": count}
        manifest = root / SYNTH_MANIFEST
        if manifest.is_file():
            try:
                entry["synth"] = json.loads(manifest.read_text())
            except (OSError, ValueError):
                entry["synth"] = "unreadable synth.json"
        per_dir.append(entry)
    per_class = {c: labels.count(c) for c in alphabet}
    description = {"dirs": per_dir, "images": len(files), "per_class": per_class}
    return files, labels, description


def _flows(data_dirs: Sequence[str | Path], generator, alphabet: str, batch_size: int, *,
           subset: str | None, shuffle: bool, seed: int,
           repeats: Sequence[int] | None = None) -> tuple[list, list[int]]:
    """One ``flow_from_directory`` per folder, all with the same class order.

    Returns the flows of the folders that have images in ``subset`` and, beside them,
    how many times each is to be read an epoch (``repeats``, one per folder; default 1).
    """
    repeats = list(repeats) if repeats is not None else [1] * len(data_dirs)
    flows, kept_repeats = [], []
    for data_dir, repeat in zip(data_dirs, repeats, strict=True):
        with _quiet_stdout():  # "Found N images belonging to 36 classes", once per folder
            flow = generator.flow_from_directory(
                str(data_dir), target_size=(INPUT_SIZE, INPUT_SIZE), color_mode="grayscale",
                classes=list(alphabet), class_mode="categorical", batch_size=batch_size,
                shuffle=shuffle, seed=seed, subset=subset, interpolation="bilinear")
        if flow.samples:
            flows.append(flow)
            kept_repeats.append(int(repeat))
    return flows, kept_repeats


def _merged_flow_class():
    import keras

    class MergedFlow(keras.utils.PyDataset):
        """Several ``flow_from_directory`` iterators read as one dataset.

        Every batch comes from one folder; with ``shuffle`` the order of all folders'
        batches is shuffled again each epoch, so folders are mixed in proportion to
        their size times their ``repeats`` (default 1 each): a folder repeated N times
        has each of its batches read N times an epoch (an augmenting generator draws new
        transforms each time). ``samples`` and ``classes`` (in batch order when not
        shuffled) mirror a single iterator's and count every image once, for evaluation.
        """

        def __init__(self, flows: list, shuffle: bool, seed: int, workers: int = 1,
                     repeats: Sequence[int] | None = None) -> None:
            super().__init__(workers=workers, use_multiprocessing=False)
            repeats = list(repeats) if repeats is not None else [1] * len(flows)
            if len(repeats) != len(flows) or any(r < 1 for r in repeats):
                raise ValueError("repeats must give one count >= 1 per flow")
            self.flows = flows
            self.repeats = repeats
            self.shuffle = shuffle
            self.rng = np.random.default_rng(seed)
            self.samples = sum(f.samples for f in flows)
            self.classes = np.concatenate([f.classes for f in flows]) if flows else np.zeros(0)
            self._order = [(i, b) for i, f in enumerate(flows) for _ in range(repeats[i])
                           for b in range(len(f))]
            self._shuffle()

        def _shuffle(self) -> None:
            if self.shuffle:
                self.rng.shuffle(self._order)

        def __len__(self) -> int:
            return len(self._order)

        def __getitem__(self, index: int):
            flow, batch = self._order[index]
            return self.flows[flow][batch]

        def on_epoch_end(self) -> None:
            for flow in self.flows:
                flow.on_epoch_end()
            self._shuffle()

    return MergedFlow


def make_generators(data_dirs: Sequence[str | Path], config: TrainConfig,
                    alphabet: str = ALPHABET, repeats: Sequence[int] | None = None):
    """The augmented training flow and the plain validation flow over the same folders.

    Both ``ImageDataGenerator`` s get the same ``validation_split``: in every class
    folder the first share of the files (by name) is the ``validation`` subset and the
    rest the ``training`` subset, so the two never overlap and every class is in both.
    Only the training generator augments, and only the training flow reads a folder
    ``repeats[i]`` times an epoch (one count per folder; default 1 each).
    """
    import tensorflow as tf

    gen_cls = tf.keras.preprocessing.image.ImageDataGenerator
    augmenting = gen_cls(rescale=1.0 / 255, validation_split=config.validation_split,
                         width_shift_range=config.shift, height_shift_range=config.shift,
                         rotation_range=config.rotation, zoom_range=config.zoom,
                         shear_range=config.shear, brightness_range=config.brightness,
                         fill_mode="constant", cval=0.0)
    plain = gen_cls(rescale=1.0 / 255, validation_split=config.validation_split)
    merged = _merged_flow_class()
    train_flows, train_repeats = _flows(data_dirs, augmenting, alphabet, config.batch_size,
                                        subset="training", shuffle=True, seed=config.seed,
                                        repeats=repeats)
    train = merged(train_flows, shuffle=True, seed=config.seed, workers=config.workers,
                   repeats=train_repeats)
    val_flows, _ = _flows(data_dirs, plain, alphabet, config.batch_size, subset="validation",
                          shuffle=False, seed=config.seed)
    val = merged(val_flows, shuffle=False, seed=config.seed, workers=config.workers)
    if train.samples == 0 or val.samples == 0:
        raise DataDirError(f"too few images to split into training and validation "
                           f"(validation_split={config.validation_split})")
    return train, val


def plain_flow(data_dirs: Sequence[str | Path], batch_size: int = 256,
               alphabet: str = ALPHABET, workers: int = 1):
    """A non-augmented, unshuffled flow over folders of characters (to test a model)."""
    import tensorflow as tf

    gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
    flows, _ = _flows(data_dirs, gen, alphabet, batch_size, subset=None, shuffle=False, seed=0)
    return _merged_flow_class()(flows, shuffle=False, seed=0, workers=workers)


def resolve_repeats(data_dirs: Sequence[str | Path],
                    repeat: Mapping[str | Path, int] | None) -> list[int]:
    """One repeat count per data folder from ``{folder: N}`` (others 1).

    A folder is matched as a path (``runs/harvest/`` and ``runs/harvest`` are the same);
    naming a folder that is not among ``data_dirs``, or a count below 1, is refused.
    """
    counts = [1] * len(data_dirs)
    for key, n in dict(repeat or {}).items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"repeat for {key}: {n!r} is not a whole number >= 1")
        matches = [i for i, d in enumerate(data_dirs) if Path(d) == Path(key)]
        if not matches:
            raise DataDirError(f"{key}: repeated, but not one of the data folders "
                               f"({', '.join(str(d) for d in data_dirs)})")
        for i in matches:
            counts[i] = int(n)
    return counts


@contextlib.contextmanager
def _quiet_stdout():
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


# --- the run ------------------------------------------------------------------------


def _stop_at_accuracy_class():
    import keras

    class StopAtAccuracy(keras.callbacks.Callback):
        """Stop training once ``monitor`` (validation accuracy) reaches ``target``."""

        def __init__(self, target: float, monitor: str = "val_accuracy") -> None:
            super().__init__()
            self.target = float(target)
            self.monitor = monitor
            self.reached_epoch: int | None = None

        def on_epoch_end(self, epoch, logs=None):
            value = (logs or {}).get(self.monitor)
            if value is not None and value >= self.target:
                self.reached_epoch = epoch
                print(f"\n{self.monitor} {value:.4f} >= target {self.target:.4f}: stopping")
                self.model.stop_training = True

    return StopAtAccuracy


def StopAtAccuracy(target: float, monitor: str = "val_accuracy"):  # noqa: N802 (a class)
    """The callback that stops training once validation accuracy passes ``target``."""
    return _stop_at_accuracy_class()(target, monitor)


def folder_names(flows: Sequence) -> list[str]:
    """A short name per flow for the logs: its folder's name, made safe for a CSV column
    and a TensorBoard tag, with ``-2``, ``-3``... where two folders share a name."""
    names: list[str] = []
    for flow in flows:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(str(flow.directory)).name) or "folder"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.append(name)
    return names


def _folder_validation_class():
    import keras

    class FolderValidation(keras.callbacks.Callback):
        """Each data folder's own validation accuracy, and their mean, added to the logs.

        After every epoch the (unshuffled) validation images are read once more and the
        share read right is counted folder by folder: ``val_accuracy_<folder>`` for each
        and ``val_balanced_accuracy`` for their mean, which weighs a folder of 100 real
        characters as much as one of 6,000 synthetic ones. Callbacks later in the list
        (early stopping, checkpoints, the CSV log, TensorBoard) see these keys.
        """

        def __init__(self, val_flow, names: Sequence[str]) -> None:
            super().__init__()
            if len(names) != len(val_flow.flows):
                raise ValueError("one name per validation folder")
            self.val_flow = val_flow
            self.names = list(names)

        def accuracies(self) -> dict[str, float]:
            probs = self.model.predict(self.val_flow, verbose=0)
            right = probs.argmax(axis=1) == np.asarray(self.val_flow.classes)
            out, start = {}, 0
            for name, flow in zip(self.names, self.val_flow.flows, strict=True):
                out[f"val_accuracy_{name}"] = float(right[start:start + flow.samples].mean())
                start += flow.samples
            out["val_balanced_accuracy"] = float(np.mean(list(out.values())))
            return out

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs.update(self.accuracies())

    return FolderValidation


def FolderValidation(val_flow, names: Sequence[str]):  # noqa: N802 (a class)
    """The callback that logs each validation folder's accuracy and their mean."""
    return _folder_validation_class()(val_flow, names)


def new_run_dir(runs_dir: str | Path, prefix: str = "chars") -> Path:
    """``runs_dir/chars-YYYYmmdd-HHMMSS`` (with ``-2``, ``-3``... if taken), created."""
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    base = f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}"
    for n in range(1, 1000):
        path = runs_dir / (base if n == 1 else f"{base}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise OSError(f"{runs_dir}: cannot make a new run folder")


def load_init_model(path: str | Path, alphabet: str = ALPHABET):
    """A ``.keras`` character model to fine-tune, checked against the alphabet and input."""
    model = load_keras_model(path)
    try:
        info = read_sidecar(path)
    except ModelFileError:
        info = None  # a checkpoint from a run folder has no sidecar of its own
    if info is not None:
        check_sidecar(info, kind=KIND, alphabet=alphabet, source=path)
    in_shape = tuple(model.inputs[0].shape[1:])
    out_shape = tuple(model.outputs[0].shape[1:])
    if in_shape != INPUT_SHAPE or out_shape != (len(alphabet),):
        raise ModelFileError(f"{path}: a model for inputs {in_shape} and {out_shape} outputs; "
                             f"a character model takes {INPUT_SHAPE} and gives "
                             f"({len(alphabet)},)")
    return model


def evaluate_dirs(model, data_dirs, alphabet: str = ALPHABET, batch_size: int = 256
                  ) -> tuple[float, np.ndarray, int]:
    """Accuracy of a Keras model on folders of characters (no augmentation).

    Returns ``(accuracy, confusion, images)``; ``confusion[i, j]`` counts images of
    class ``alphabet[i]`` read as ``alphabet[j]``.
    """
    if isinstance(data_dirs, (str, Path)):
        data_dirs = [data_dirs]
    _, _, described = scan_char_dirs(data_dirs, alphabet)
    flow = plain_flow(data_dirs, batch_size, alphabet)
    probs = model.predict(flow, verbose=0)
    truth = flow.classes
    pred = probs.argmax(axis=1)
    confusion = np.zeros((len(alphabet), len(alphabet)), np.int64)
    np.add.at(confusion, (truth, pred), 1)
    return float(np.mean(pred == truth)), confusion, described["images"]


def train_char_classifier(data_dirs: Sequence[str | Path] | str | Path,
                          runs_dir: str | Path = "runs", *,
                          config: TrainConfig | None = None,
                          export: str | Path | None = None,
                          test_dirs: Sequence[str | Path] | None = None,
                          version: str | None = None,
                          description: str | None = None,
                          alphabet: str = ALPHABET,
                          run_dir: str | Path | None = None,
                          extra_info: Mapping[str, Any] | None = None,
                          repeat: Mapping[str | Path, int] | None = None,
                          verbose: int = 2,
                          **overrides) -> TrainResult:
    """Train (or fine-tune) the character CNN and export it; one new run folder per call.

    Args:
        data_dirs: one or more one-folder-per-class directories (merged).
        runs_dir: where the run folder is made (``runs_dir/chars-<time>``), unless
            ``run_dir`` names it.
        config: a :class:`TrainConfig`; keyword ``overrides`` (``epochs=5``...) change
            single fields.
        export: stem of the exported model (default ``RUN/charnet``): writes
            ``.keras``, ``.onnx`` and the ``.json`` sidecar.
        test_dirs: folders of characters never trained on; their accuracy is measured
            at the end and written to the sidecar.
        version: the platechar version, recorded in the sidecar.
        description: one line saying what the data is, for the sidecar.
        extra_info: more keys for the sidecar (e.g. the command that made the data).
        repeat: ``{data folder: N}`` to read a folder's training images N times an epoch
            (oversampling a small real set beside a large synthetic one); recorded per
            folder in ``config.json`` and the sidecar.
        verbose: Keras' ``fit`` verbosity (0 silent, 1 progress bar, 2 a line an epoch).

    Raises:
        DataDirError: a data folder is missing, empty or not one folder per class, or
            ``repeat`` names a folder that is not a data folder.
        ModelFileError: ``init_from`` is not a loadable character model.
        ValueError: a setting is out of range (a repeat count below 1...).
    """
    config = TrainConfig(**{**asdict(config or TrainConfig()), **overrides})
    if isinstance(data_dirs, (str, Path)):
        data_dirs = [data_dirs]
    repeats = resolve_repeats(data_dirs, repeat)
    _, _, data_info = scan_char_dirs(data_dirs, alphabet)
    if repeat:
        for entry, n in zip(data_info["dirs"], repeats, strict=True):
            entry["repeat"] = n
    test_dirs = list(test_dirs or [])
    if test_dirs:
        scan_char_dirs(test_dirs, alphabet)  # refuse a bad test folder before training
    start = time.perf_counter()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    keras.utils.set_random_seed(config.seed)
    if config.init_from:
        model = load_init_model(config.init_from, alphabet)
    else:
        model = build_charnet(len(alphabet), tuple(config.filters), config.dense)
    run = Path(run_dir) if run_dir is not None else new_run_dir(runs_dir)
    run.mkdir(parents=True, exist_ok=True)
    (run / "checkpoints").mkdir(exist_ok=True)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    train_flow, val_flow = make_generators(data_dirs, config, alphabet, repeats)

    config_json = {"config": asdict(config), "data": data_info,
                   "test_dirs": [str(d) for d in test_dirs], "alphabet": alphabet,
                   "input_shape": list(INPUT_SHAPE), "train_images": train_flow.samples,
                   "train_batches_per_epoch": len(train_flow),
                   "val_images": val_flow.samples, "params": int(model.count_params()),
                   "platechar_version": version}
    _write_json(run / "config.json", config_json)

    monitor = SELECT_BY[config.select_by]
    per_folder = FolderValidation(val_flow, folder_names(val_flow.flows))
    per_folder.set_model(model)  # also measures the exported weights at the end
    callbacks: list = [
        # First, so that the callbacks after it see each folder's accuracy.
        *([per_folder] if len(val_flow.flows) > 1 or monitor != "val_accuracy" else []),
        keras.callbacks.EarlyStopping(monitor=monitor, mode="max", patience=config.patience,
                                      restore_best_weights=config.select_by != "last",
                                      verbose=1),
        keras.callbacks.ModelCheckpoint(run / "checkpoints" / "best.keras", monitor=monitor,
                                        mode="max", save_best_only=True),
        keras.callbacks.ModelCheckpoint(run / "checkpoints" / "last.keras"),
        # A smaller step once validation loss stalls: the last fraction of a percent of
        # accuracy comes from fine steps.
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3,
                                          patience=config.lr_patience, min_lr=1e-5),
        keras.callbacks.TensorBoard(log_dir=str(run / "tensorboard"), profile_batch=0),
        keras.callbacks.CSVLogger(str(run / "log.csv")),
    ]
    if config.target_accuracy is not None:
        callbacks.append(StopAtAccuracy(config.target_accuracy, monitor))
    fit = model.fit(train_flow, validation_data=val_flow, epochs=config.epochs,
                    callbacks=callbacks, verbose=verbose)
    history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}
    selected = history.get(monitor, [float("nan")])
    best_epoch = len(selected) - 1 if config.select_by == "last" else int(np.argmax(selected))
    # EarlyStopping has restored the best epoch's weights (also when training ran to the
    # last epoch or StopAtAccuracy ended it), unless the last is kept; measure what is
    # exported, in one pass over the validation images: the pooled accuracy is the
    # folders' accuracies weighted by their sizes.
    val_folders = per_folder.accuracies()
    val_balanced = val_folders.pop("val_balanced_accuracy")
    val_folders = {k.removeprefix("val_accuracy_"): v for k, v in val_folders.items()}
    val_accuracy = sum(val_folders[name] * flow.samples for name, flow in
                       zip(per_folder.names, val_flow.flows, strict=True)) / val_flow.samples

    test_accuracy = None
    test_info = None
    if test_dirs:
        test_accuracy, confusion, n_test = evaluate_dirs(model, test_dirs, alphabet)
        test_info = {"dirs": [str(d) for d in test_dirs], "images": n_test,
                     "accuracy": round(test_accuracy, 6),
                     "confusions": top_confusions(confusion, alphabet)}
    seconds = time.perf_counter() - start

    info: dict[str, Any] = {
        "kind": KIND, "alphabet": alphabet, "input_shape": list(INPUT_SHAPE),
        "input": "uint8 32x32 white-on-black character (segmentation.normalize."
                 "normalize_character) / 255 as float32",
        "output": "softmax probabilities over the alphabet",
        "training_data": {"description": description, **data_info},
        "training": {"epochs_run": len(selected), "best_epoch": best_epoch + 1,
                     "seconds": round(seconds, 1), "init_from": config.init_from,
                     "config": asdict(config)},
        "validation": {"images": val_flow.samples, "accuracy": round(val_accuracy, 6),
                       "selected_by": config.select_by,
                       "balanced_accuracy": round(val_balanced, 6),
                       "folders": [{"name": name, "images": flow.samples,
                                    "accuracy": round(val_folders[name], 6)}
                                   for name, flow in zip(per_folder.names, val_flow.flows,
                                                         strict=True)]},
        "test": test_info,
        "params": int(model.count_params()),
        "platechar_version": version,
        **dict(extra_info or {}),
    }
    stem = Path(export) if export is not None else run / "charnet"
    exported = save_model(_without_optimizer(model), stem, info)
    result = TrainResult(run_dir=run, exported=exported, epochs_run=len(selected),
                         best_epoch=best_epoch + 1, val_accuracy=val_accuracy,
                         test_accuracy=test_accuracy, train_images=train_flow.samples,
                         val_images=val_flow.samples, seconds=seconds, history=history,
                         val_folders=val_folders, val_balanced_accuracy=val_balanced)
    _write_json(run / "result.json", result.to_dict())
    return result


def _without_optimizer(model):
    """The same network, uncompiled: the exported .keras then holds no Adam state (a
    third of the size); fine-tuning compiles it afresh anyway. (Not ``clone_model``:
    Keras 3.x compiles the clone again when the original was compiled.)"""
    clone = type(model).from_config(model.get_config())
    clone.set_weights(model.get_weights())
    return clone


def top_confusions(confusion: np.ndarray, alphabet: str = ALPHABET, n: int = 10
                   ) -> list[dict[str, Any]]:
    """The ``n`` commonest mistakes: ``[{"true": "O", "read": "0", "count": 12}, ...]``."""
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:n]
    out = []
    for flat in order:
        i, j = np.unravel_index(flat, off.shape)
        if off[i, j] == 0:
            break
        out.append({"true": alphabet[i], "read": alphabet[j], "count": int(off[i, j])})
    return out


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, default=_jsonable) + "\n", encoding="utf-8")


def _jsonable(obj):
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


__all__ = ["DataDirError", "TrainConfig", "TrainResult", "scan_char_dirs", "make_generators",
           "resolve_repeats", "SELECT_BY", "folder_names", "FolderValidation",
           "StopAtAccuracy", "train_char_classifier", "evaluate_dirs", "top_confusions",
           "load_init_model", "new_run_dir"]
