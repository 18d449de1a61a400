"""The holistic recognizer: a CRNN (convolutions + two BiLSTMs) trained with CTC.

The network reads a whole plate crop, resized to ``height x width`` gray, and answers,
for each of ``T = width / 4`` columns of the image from left to right, a probability
over the 36 characters of the alphabet plus the CTC *blank* (index 36). Decoding turns
that ``(T, 37)`` matrix into text: take the best class per column, merge repeats, drop
blanks (greedy), or keep the few best prefixes (beam search).

::

    image (H, W, 1) ─ conv/BN/ReLU x6, 4 poolings ─ (H/16, W/4, C) ─ columns ─ (W/4, H/16*C)
        ─ Dense ─ BiLSTM ─ Dropout ─ BiLSTM ─ Dropout ─ Dense(37) = logits ─ Softmax = probs

One network, two views (see :class:`CRNN`): the *prediction model* (image -> probs) is
what is saved, exported to ONNX and shipped; the *training model* (image -> logits, the
same layers and weights) is compiled with :class:`CTCLoss`, which calls
``keras.ops.ctc_loss`` with the padded labels, their lengths and the sequence length.
Only built-in Keras layers are used, so the saved file loads with ``safe_mode=True``.

Choices, by measurement (``benchmarks/bench_crnn.py`` reproduces the figures):

* **Input 32 x 128 gray** (the classic size). US plates are about 2:1 and are stretched
  to 4:1; characters stay about 16 px high, which reads well, and the 32 columns hold
  labels of up to 10 characters with the blanks CTC needs between repeats. Measured with
  ONNX Runtime on this 2-core machine (random weights, same widths): 48 x 144 took
  3.7 ms a crop on one thread and 254 crops/s batched, against 2.2 ms and 471 at 32 x 128.
* **Widths** 16-32-64-64-96-96 filters, BiLSTMs of 96 units per direction: 0.63 M
  parameters, 2.5 MB. The classic 32-64-128-128-192-192 / 128 units (1.5 M) batched at
  ~320-540 crops/s, and 32-64-96-96-128-128 at ~470-820, short of the 1,000 crops/s
  target; the convolutions, not the LSTMs, dominate the time.
* **Two-line plates are read as two lines.** Trained on them whole (labelled top line
  then bottom), this 32-pixel CRNN read 0% of fresh ones: the height collapses into one
  sequence and the net read the bigger bottom line alone. So training cuts synthetic
  two-line plates into their lines (``platechar.training.crnn.split_lines``) and the
  holistic backend reads unsure or squarish crops again as two halves (see
  ``platechar/backends/holistic.py``).

Nothing here imports TensorFlow or Keras at module level: the numpy parts (preprocessing
and decoding) are what the reading path uses, with ONNX Runtime.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""The 36 characters read; the same string as ``platechar.ALPHABET`` (classifier does not
import platechar; a test checks they agree)."""

BLANK = len(ALPHABET)
"""The CTC blank's class index: the last of the 37 outputs."""

PAD = -1
"""The value that pads label rows to ``max_len``."""


@dataclass(frozen=True)
class CRNNConfig:
    """The shape of a CRNN; stored in the run folder and the model's sidecar.

    Attributes:
        height, width: the input size every crop is resized to (``width`` a multiple of 4).
        filters: six conv widths; 2x2 poolings after the 1st and 2nd, a 2x1 pooling
            (height only) after the 4th, and another after the 6th, so the output has
            ``width / 4`` columns and ``height / 16`` rows.
        rnn_units: LSTM units per direction, in each of the two BiLSTMs.
        dense_units: the width of the projection from a column's features to the LSTMs.
        dropout: after each BiLSTM (training only).
        max_len: the longest label (labels are padded to it).
    """

    height: int = 32
    width: int = 128
    filters: tuple[int, ...] = (16, 32, 64, 64, 96, 96)
    rnn_units: int = 96
    dense_units: int = 128
    dropout: float = 0.25
    max_len: int = 10
    alphabet: str = ALPHABET

    def __post_init__(self) -> None:
        if self.height % 16 or self.width % 4 or self.height < 16 or self.width < 16:
            raise ValueError(f"height must be a multiple of 16 and width of 4, "
                             f"got {self.height}x{self.width}")
        if len(self.filters) != 6:
            raise ValueError(f"six conv widths are needed, got {self.filters}")
        if self.max_len * 2 - 1 > self.time_steps:
            raise ValueError(f"{self.time_steps} columns cannot hold labels of "
                             f"{self.max_len} characters")

    @property
    def time_steps(self) -> int:
        return self.width // 4

    @property
    def num_classes(self) -> int:
        return len(self.alphabet) + 1

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.height, self.width, 1)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["filters"] = list(self.filters)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> CRNNConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "filters" in known:
            known["filters"] = tuple(int(v) for v in known["filters"])
        return cls(**known)


# --- the network (Keras imported only here) --------------------------------------------


@dataclass
class CRNN:
    """One network seen as views that share every layer and weight.

    ``prediction`` maps images to per-column probabilities (what is saved and shipped);
    ``training`` maps the same images to the logits before the softmax, which
    ``keras.ops.ctc_loss`` wants; ``backbone`` maps images to the column features.
    """

    config: CRNNConfig
    prediction: object
    training: object
    backbone: object = field(repr=False, default=None)


def build_crnn(config: CRNNConfig | None = None, *, seed: int = 0) -> CRNN:
    """Build a fresh CRNN (random weights) and its views."""
    import keras
    from keras import layers

    config = config or CRNNConfig()
    keras.utils.set_random_seed(seed)
    image = keras.Input(config.input_shape, name="image")
    x = image
    pools = {0: (2, 2), 1: (2, 2), 3: (2, 1), 5: (2, 1)}
    for i, width in enumerate(config.filters):
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{i + 1}")(x)
        x = layers.BatchNormalization(name=f"bn{i + 1}")(x)
        x = layers.ReLU(name=f"relu{i + 1}")(x)
        if i in pools:
            x = layers.MaxPooling2D(pools[i], name=f"pool{i + 1}")(x)
    rows, cols, chans = config.height // 16, config.width // 4, config.filters[-1]
    x = layers.Permute((2, 1, 3), name="columns")(x)  # (cols, rows, chans): left to right
    x = layers.Reshape((cols, rows * chans), name="sequence")(x)
    features = layers.Dense(config.dense_units, activation="relu", name="project")(x)
    x = features
    for i in (1, 2):
        x = layers.Bidirectional(layers.LSTM(config.rnn_units, return_sequences=True),
                                 name=f"bilstm{i}")(x)
        x = layers.Dropout(config.dropout, name=f"dropout{i}")(x)
    logits = layers.Dense(config.num_classes, name="logits")(x)
    probs = layers.Softmax(name="probs", dtype="float32")(logits)
    prediction = keras.Model(image, probs, name="crnn")
    return views(prediction, config)


def views(prediction, config: CRNNConfig) -> CRNN:
    """The training and backbone views of a prediction model (fresh or loaded)."""
    import keras

    image = prediction.inputs[0]
    training = keras.Model(image, prediction.get_layer("logits").output, name="crnn_train")
    backbone = keras.Model(image, prediction.get_layer("project").output, name="crnn_backbone")
    return CRNN(config, prediction, training, backbone)


def make_ctc_loss(max_len: int, blank: int = BLANK):
    """A ``keras.losses.Loss`` computing CTC from padded labels and the model's logits.

    ``y_true`` is int ``(batch, max_len)``: alphabet indices padded with :data:`PAD`
    (their count is the label length); ``y_pred`` the logits ``(batch, T, classes)``;
    every sequence has all ``T`` columns. Built in a function so Keras is imported late.
    """
    import keras
    from keras import ops

    class CTCLoss(keras.losses.Loss):
        def __init__(self, name="ctc", **kwargs):
            super().__init__(name=name, **kwargs)

        def call(self, y_true, y_pred):
            y_true = ops.cast(y_true, "int32")
            valid = ops.not_equal(y_true, PAD)
            label_length = ops.sum(ops.cast(valid, "int32"), axis=1)
            target = ops.where(valid, y_true, ops.zeros_like(y_true))
            batch = ops.shape(y_pred)[0]
            steps = ops.shape(y_pred)[1]
            output_length = ops.full((batch,), steps, dtype="int32")
            return ops.ctc_loss(target, y_pred, label_length, output_length, mask_index=blank)

    return CTCLoss()


def compile_for_training(crnn: CRNN, learning_rate: float = 1e-3) -> None:
    """Compile the training view with Adam and the CTC loss."""
    import keras

    crnn.training.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0),
                          loss=make_ctc_loss(crnn.config.max_len))


def keras_decode(probs: np.ndarray, *, strategy: str = "greedy", beam_width: int = 10,
                 top_paths: int = 1) -> list[list[str]]:
    """Decode with ``keras.ops.ctc_decode`` (training and evaluation): for each plate,
    its ``top_paths`` best texts, best first."""
    from keras import ops

    probs = np.asarray(probs, np.float32)
    lengths = np.full(len(probs), probs.shape[1], np.int32)
    inputs = np.log(np.maximum(probs, 1e-12)) if strategy == "beam_search" else probs
    decoded, _ = ops.ctc_decode(inputs, lengths, strategy=strategy, beam_width=beam_width,
                                top_paths=top_paths, mask_index=probs.shape[2] - 1)
    decoded = np.asarray(decoded)
    return [[_indices_to_text(decoded[p, i]) for p in range(decoded.shape[0])]
            for i in range(decoded.shape[1])]


def _indices_to_text(row) -> str:
    return "".join(ALPHABET[int(v)] for v in row if 0 <= int(v) < len(ALPHABET))


# --- numpy: preprocessing and decoding (the reading path) ------------------------------


def preprocess(image: np.ndarray, height: int = 32, width: int = 128) -> np.ndarray:
    """A plate crop (BGR or gray ``uint8``) -> float32 ``(height, width, 1)``.

    Gray, stretched to the input size (area interpolation when shrinking), then
    standardised per image (zero mean, unit spread) so the network sees the same range
    for dim, bright, low- and high-contrast plates of either polarity.
    """
    import cv2

    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4
                             else cv2.COLOR_BGR2GRAY)
    shrink = image.shape[0] > height or image.shape[1] > width
    resized = cv2.resize(image, (width, height),
                         interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    return standardize(resized)[..., None]


def standardize(gray: np.ndarray) -> np.ndarray:
    """Zero mean, unit standard deviation (at least 8/255, so a flat crop stays flat)."""
    x = gray.astype(np.float32) * (1.0 / 255.0)
    mean = x.mean(axis=(-2, -1), keepdims=True)
    std = np.maximum(x.std(axis=(-2, -1), keepdims=True), 8.0 / 255.0)
    return (x - mean) / std


@dataclass(frozen=True)
class DecodedChar:
    """One character of a greedy decode: the class, its confidence and the columns.

    ``confidence`` is the highest probability the class reached in the run of columns
    that produced it; ``first``/``last`` are those columns (inclusive), from which an
    approximate box in the crop follows; ``alternatives`` the next classes at the peak.
    """

    index: int
    confidence: float
    first: int
    last: int
    alternatives: tuple[tuple[int, float], ...] = ()

    @property
    def char(self) -> str:
        return ALPHABET[self.index]


def greedy_decode(probs: np.ndarray, *, blank: int = BLANK, alternatives: int = 2
                  ) -> list[DecodedChar]:
    """Best path decoding of one ``(T, classes)`` probability matrix.

    The best class of each column, consecutive repeats merged, blanks dropped; the same
    texts as ``keras.ops.ctc_decode(..., strategy="greedy")`` (a test checks it).
    """
    probs = np.asarray(probs, np.float32)
    best = probs.argmax(axis=1)
    out: list[DecodedChar] = []
    t, steps = 0, len(best)
    while t < steps:
        cls = int(best[t])
        end = t
        while end + 1 < steps and best[end + 1] == cls:
            end += 1
        if cls != blank:
            run = probs[t:end + 1, cls]
            peak = t + int(run.argmax())
            row = probs[peak].copy()
            row[[cls, blank]] = -1.0
            order = np.argsort(row)[::-1][:alternatives]
            alts = tuple((int(i), float(row[i])) for i in order if row[i] > 0.0)
            out.append(DecodedChar(cls, float(run.max()), t, end, alts))
        t = end + 1
    return out


def greedy_texts(probs: np.ndarray, *, blank: int = BLANK) -> list[str]:
    """Greedy texts of a batch ``(n, T, classes)``, vectorised."""
    best = np.asarray(probs).argmax(axis=2)
    keep = best != blank
    keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    return ["".join(ALPHABET[c] for c in row[mask]) for row, mask in zip(best, keep, strict=True)]


def beam_decode(probs: np.ndarray, *, beam_width: int = 8, top_paths: int = 3,
                blank: int = BLANK, prune: float = 1e-4) -> list[tuple[str, float]]:
    """CTC prefix beam search over one ``(T, classes)`` matrix: the ``top_paths`` most
    likely texts with their probabilities (summed over every path that spells them).

    Small and exact enough for plates: classes below ``prune`` in a column are skipped,
    so each step looks at a handful of extensions per prefix.
    """
    probs = np.asarray(probs, np.float64)
    # prefix -> (p ending in blank, p ending in its last char)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}
    for row in probs:
        candidates = [int(c) for c in np.nonzero(row >= prune)[0] if c != blank]
        nxt: dict[tuple[int, ...], list[float]] = {}
        add = _adder(nxt)

        for prefix, (pb, pnb) in beams.items():
            total = pb + pnb
            add(prefix, pb=total * row[blank])
            if prefix:
                add(prefix, pnb=pnb * row[prefix[-1]])  # repeat merged into the last char
            for c in candidates:
                p = row[c]
                if prefix and prefix[-1] == c:
                    add(prefix + (c,), pnb=pb * p)  # a repeat needs a blank between
                else:
                    add(prefix + (c,), pnb=total * p)
        ranked = sorted(nxt.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
        beams = {prefix: (pb, pnb) for prefix, (pb, pnb) in ranked[:beam_width]}
    ranked = sorted(beams.items(), key=lambda kv: kv[1][0] + kv[1][1], reverse=True)
    return [("".join(ALPHABET[c] for c in prefix), float(pb + pnb))
            for prefix, (pb, pnb) in ranked[:top_paths]]


def _adder(table: dict):
    def add(prefix, pb=0.0, pnb=0.0):
        entry = table.setdefault(prefix, [0.0, 0.0])
        entry[0] += pb
        entry[1] += pnb

    return add


def plate_confidence(chars: list[DecodedChar]) -> float:
    """The plate's confidence: the product of its characters' (0 for no characters)."""
    if not chars:
        return 0.0
    return float(math.prod(c.confidence for c in chars))


def column_box(char: DecodedChar, time_steps: int, crop_width: int, crop_height: int
               ) -> tuple[int, int, int, int]:
    """An approximate ``(x, y, w, h)`` in the crop: the image columns that a character's
    run of sequence columns covers (each is ``crop_width / time_steps`` wide), full height.
    Approximate by nature: a column sees beyond its own stripe, and CTC peaks are narrow."""
    step = crop_width / time_steps
    x0 = int(round(char.first * step))
    x1 = int(round((char.last + 1) * step))
    return (x0, 0, max(1, min(x1, crop_width) - x0), int(crop_height))
