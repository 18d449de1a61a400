"""Training the CRNN: a run folder, the usual callbacks, plate-level accuracy each epoch.

::

    from classifier.train_crnn import TrainConfig, train
    result = train(TrainConfig(run_dir="runs/crnn"), pool=(images, texts),
                   validation=(val_images, val_texts))

A run writes one folder::

    runs/crnn/
        config.json           the TrainConfig and the CRNNConfig, as given
        log.csv               per epoch: loss, val_loss, val_seq_acc, val_char_acc, lr
        tensorboard/          the same curves for TensorBoard
        checkpoints/best.keras  the training view with the lowest val_loss so far
        checkpoints/last.keras  the training view after the latest epoch
        crnn.keras/.onnx/.json  the best network as a prediction model, with its sidecar
                                (``name`` sets the stem; copy them to platechar/weights/ to ship)

``classifier`` does not import ``platechar``: synthetic pools are made by
``platechar.training.crnn`` (which the ``platechar train crnn`` command calls) and passed
in as arrays. Fine-tuning starts from a saved model (``init_from``), e.g. the shipped one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from classifier.crnn import ALPHABET, CRNN, CRNNConfig
from classifier.crnn_data import LabelledCrops, encode_labels, make_dataset, to_batch


@dataclass(frozen=True)
class TrainConfig:
    """Everything a run depends on besides its data (written to ``config.json``).

    Attributes:
        run_dir: the run folder (created; an existing one is reused and overwritten).
        epochs: at most this many epochs (EarlyStopping may end sooner).
        steps_per_epoch: batches per epoch; every epoch draws fresh batches.
        batch_size: crops per batch.
        learning_rate: Adam's peak rate; cosine decay to 2% of it over the run.
        patience: EarlyStopping waits this many epochs without a better val_loss.
        crop_fraction: the share of each batch drawn from labelled crops (when given).
        crop_strength: augmentation strength for labelled crops (1 = heavy).
        jitter: augmentation strength for pool crops (already varied; 0.3 = light).
        rearrange: the chance that a labelled crop with known character boxes has its
            characters swapped about before augmentation (``rearrange_characters``).
        seed: weights and batches; the same seed and data give the same run.
        init_from: a ``.keras`` CRNN to start from (fine-tuning) instead of random weights.
        model: the network's shape (ignored with ``init_from``: the model's own is used).
        samples: how many validation predictions to print each epoch.
    """

    run_dir: str = "runs/crnn"
    epochs: int = 30
    steps_per_epoch: int = 200
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 6
    crop_fraction: float = 0.25
    crop_strength: float = 1.0
    jitter: float = 0.3
    rearrange: float = 0.0
    seed: int = 0
    init_from: str | None = None
    model: CRNNConfig = field(default_factory=CRNNConfig)
    samples: int = 4

    def to_dict(self) -> dict:
        out = asdict(self)
        out["model"] = self.model.to_dict()
        return out


@dataclass
class TrainResult:
    crnn: CRNN
    run_dir: Path
    history: dict[str, list[float]]
    metrics: dict[str, float]
    paths: dict[str, Path]
    seconds: float


def load_crnn(path: str | Path) -> CRNN:
    """A saved CRNN (prediction model or a training-view checkpoint) with its views.

    Loaded with ``safe_mode=True``; its shape is read back from the network itself.
    """
    import keras

    from classifier.model_io import load_keras_model

    model = load_keras_model(path)
    names = {layer.name for layer in model.layers}
    if "logits" not in names:
        from classifier.model_io import ModelFileError

        raise ModelFileError(f"{path}: not a CRNN (no 'logits' layer)")
    if "probs" not in names:  # a checkpoint of the training view: add the softmax back
        probs = keras.layers.Softmax(name="probs", dtype="float32")(model.outputs[0])
        model = keras.Model(model.inputs[0], probs, name="crnn")
    from classifier.crnn import views

    return views(model, config_of(model))


def config_of(model) -> CRNNConfig:
    """Read a built CRNN's shape back from its layers."""
    height, width = (int(v) for v in model.inputs[0].shape[1:3])
    filters = tuple(int(model.get_layer(f"conv{i}").filters) for i in range(1, 7))
    lstm = model.get_layer("bilstm1").forward_layer
    return CRNNConfig(height=height, width=width, filters=filters, rnn_units=int(lstm.units),
                      dense_units=int(model.get_layer("project").units),
                      dropout=float(model.get_layer("dropout1").rate))


def sequence_metrics(predicted: Sequence[str], truth: Sequence[str]) -> dict[str, float]:
    """Plate-level accuracy and character error rate.

    ``seq_acc``: the share of plates read exactly. ``cer``: edit distance over all true
    characters. ``char_acc`` = 1 - CER (at least 0). Worked example: truth ``7ABC123``,
    read ``7A8C23`` -> one substitution (B->8) and one deletion (1): the plate is wrong,
    its CER is 2/7.
    """
    exact = sum(p == t for p, t in zip(predicted, truth, strict=True))
    edits = sum(edit_distance(p, t) for p, t in zip(predicted, truth, strict=True))
    chars = max(1, sum(len(t) for t in truth))
    n = max(1, len(truth))
    return {"seq_acc": exact / n, "cer": edits / chars, "char_acc": max(0.0, 1 - edits / chars)}


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def make_accuracy_callback(x_val: np.ndarray, texts: Sequence[str], samples: int = 4,
                           log: Callable[[str], None] = print):
    """A callback that reads the validation crops each epoch (greedy
    ``keras.ops.ctc_decode``), adds ``val_seq_acc``/``val_char_acc`` to the epoch's logs
    (so the CSV and TensorBoard get them) and prints a few sample predictions."""
    import keras

    from classifier.crnn import keras_decode

    class PlateAccuracy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logits = self.model.predict(x_val, batch_size=256, verbose=0)
            read = [paths[0] for paths in keras_decode(_softmax(logits))]
            metrics = sequence_metrics(read, texts)
            if logs is not None:
                logs["val_seq_acc"] = metrics["seq_acc"]
                logs["val_char_acc"] = metrics["char_acc"]
            wrong = [(t, r) for t, r in zip(texts, read, strict=True) if t != r][:samples]
            right = [(t, r) for t, r in zip(texts, read, strict=True) if t == r]
            shown = (wrong + right)[:samples]
            log(f"epoch {epoch + 1}: val plates {metrics['seq_acc']:.2%} exact, "
                f"chars {metrics['char_acc']:.2%}; e.g. "
                + ", ".join(f"{t}->{r}" + ("" if t == r else " x") for t, r in shown))

    return PlateAccuracy()


def train(config: TrainConfig, *, pool: tuple[np.ndarray, Sequence[str]] | None = None,
          crops: LabelledCrops | None = None,
          validation: tuple[Sequence[np.ndarray], Sequence[str]],
          info: dict | None = None, name: str = "crnn", export_onnx: bool = True, verbose: int = 2,
          log: Callable[[str], None] = print, recipe: str | None = None) -> TrainResult:
    """Train a CRNN and write the run folder (see the module docstring).

    ``pool``: ready gray ``uint8`` crops at the input size and their texts (synthetic);
    ``crops``: labelled crops of any size, augmented heavily; ``validation``: gray crops
    (any size) and texts, read each epoch. ``info`` goes into the model's sidecar (what
    it was trained on), and ``recipe``, the command that made the model when this run is
    a step of a longer one, as its ``training_recipe``. The model files are
    ``run_dir/<name>.keras/.onnx/.json``.
    Returns the best network (lowest val_loss) and its figures.
    """
    import keras

    from classifier import model_io
    from classifier.crnn import build_crnn, compile_for_training

    started = time.perf_counter()
    run = Path(config.run_dir)
    (run / "checkpoints").mkdir(parents=True, exist_ok=True)
    if config.init_from:
        crnn = load_crnn(config.init_from)
        config = replace(config, model=crnn.config)
    else:
        crnn = build_crnn(config.model, seed=config.seed)
    cfg = config.model
    (run / "config.json").write_text(json.dumps(config.to_dict(), indent=2) + "\n",
                                     encoding="utf-8")
    keras.utils.set_random_seed(config.seed)

    total_steps = config.epochs * config.steps_per_epoch
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, total_steps, alpha=0.02)
    compile_for_training(crnn, learning_rate=schedule)
    pool_images, pool_texts = pool if pool is not None else (None, ())
    data = make_dataset(pool_images=pool_images, pool_texts=pool_texts, crops=crops,
                        crop_fraction=config.crop_fraction, batch_size=config.batch_size,
                        steps=config.steps_per_epoch, height=cfg.height, width=cfg.width,
                        max_len=cfg.max_len, seed=config.seed, jitter=config.jitter,
                        crop_strength=config.crop_strength, rearrange=config.rearrange)
    val_images, val_texts = validation
    x_val = to_batch(list(val_images), cfg.height, cfg.width)
    y_val = encode_labels(val_texts, cfg.max_len)

    best = run / "checkpoints" / "best.keras"
    callbacks = [
        make_accuracy_callback(x_val, list(val_texts), config.samples, log),
        keras.callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True),
        keras.callbacks.ModelCheckpoint(run / "checkpoints" / "last.keras"),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience),
        keras.callbacks.TensorBoard(run / "tensorboard", update_freq="epoch",
                                    profile_batch=0, write_graph=False),
        keras.callbacks.CSVLogger(run / "log.csv"),
    ]
    fit = crnn.training.fit(data, validation_data=(x_val, y_val), epochs=config.epochs,
                            callbacks=callbacks, verbose=verbose)
    history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}

    # the best epoch's weights, as a prediction model
    trained = load_crnn(best) if best.is_file() else crnn
    probs = trained.prediction.predict(x_val, batch_size=256, verbose=0)
    from classifier.crnn import greedy_texts

    metrics = sequence_metrics(greedy_texts(probs), list(val_texts))
    seconds = time.perf_counter() - started
    sidecar = {
        "kind": "crnn",
        "alphabet": ALPHABET,
        "input_shape": list(cfg.input_shape),
        "blank": len(ALPHABET),
        "preprocess": "gray, resize to input size, per-image standardisation "
                      "(classifier.crnn.preprocess)",
        "config": cfg.to_dict(),
        "parameters": int(trained.prediction.count_params()),
        "trained_on": dict(info or {}),
        "validation": {k: round(v, 4) for k, v in metrics.items()},
        "epochs_run": len(history.get("loss", [])),
        "training_seconds": round(seconds, 1),
    }
    if recipe:
        sidecar["training_recipe"] = recipe
    paths = model_io.save_model(trained.prediction, run / name, sidecar, onnx=export_onnx)
    log(f"saved {', '.join(str(p) for p in paths.values())}: val plates "
        f"{metrics['seq_acc']:.2%} exact, CER {metrics['cer']:.3f}, "
        f"{seconds / 60:.1f} min")
    return TrainResult(trained, run, history, metrics, paths, seconds)
