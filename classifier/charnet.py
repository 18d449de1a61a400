"""The 36-class character CNN: one cut-out character in, a probability per class out.

A convolutional network learns its own feature detectors: the first convolutions
respond to edges and stroke ends, later ones (after pooling has shrunk the picture)
to parts of letters such as bowls, bars and diagonals; a small dense layer then
weighs those parts into one score per class, and softmax turns the scores into
probabilities. Dropout switches random units off while training so that the network
cannot lean on any single one, which helps it generalise beyond its training fonts.

Two halves, so that reading never needs TensorFlow:

* :func:`build_charnet` makes the Keras model (used by ``classifier.train_chars``);
* :class:`CharClassifier` runs the exported ``.onnx`` file through ONNX Runtime and
  imports neither TensorFlow nor Keras.

The input is exactly what ``segmentation.normalize.normalize_character`` makes: a
``uint8`` 32x32 white-on-black character, which becomes float32 in [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier.model_io import ModelFileError, OnnxModel

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""The 36 classes, in output order. A mirror of ``platechar.alphabet.ALPHABET`` (the
classifier stage does not import platechar); a test checks that the two agree."""

KIND = "charnet"
"""The ``kind`` written in the sidecar of every character model."""

INPUT_SIZE = 32
INPUT_SHAPE = (INPUT_SIZE, INPUT_SIZE, 1)

SHIPPED_WEIGHTS = Path(__file__).resolve().parent.parent / "platechar" / "weights" / "charnet.onnx"
"""The model platechar ships. ``classifier`` and ``platechar`` are installed side by side,
so this is a plain file path, not an import of platechar."""

# The size, chosen by measurement (`python benchmarks/bench_charnet.py --sizes
# runs/chars-20k --epochs 6`: each size trained alike for 6 epochs on 18,000 synthetic
# characters, tested on 5,000 fresh ones; 2-core AMD EPYC, shared with other work):
#
#   filters        dense  params   .onnx    test acc   time per epoch
#   (8, 16, 32)      64    53 k   0.22 MB    87.9 %    ~1/4 of the middle one
#   (16, 32, 64)    128   208 k   0.84 MB    97.3 %    1x
#   (32, 64, 128)   256   820 k   3.29 MB    98.0 %    ~3.7x
#
# The smallest net is too weak; the largest gains 0.7 points for 4x the file, the
# training time and the reading time. The middle one ships: fully trained (60,000
# characters, 22 epochs) it reads 99.2 % of 10,000 fresh synthetic characters, and
# ONNX Runtime answers a batch of 8 in ~1.4 ms, 1 in ~0.2 ms on one thread. Two 3x3
# convolutions per block see stroke detail at each scale; three poolings take 32 px to
# 4 px, so the dense layer sees 4x4x64 = 1,024 features through a Flatten, which keeps
# *where* each part is (6 against 9, M against W).
DEFAULT_FILTERS = (16, 32, 64)
DEFAULT_DENSE = 128


def build_charnet(num_classes: int = len(ALPHABET), filters: tuple[int, ...] = DEFAULT_FILTERS,
                  dense: int = DEFAULT_DENSE, dropout: float = 0.25,
                  dense_dropout: float = 0.4):
    """The Keras model: ``(n, 32, 32, 1)`` float in [0, 1] -> ``(n, num_classes)`` softmax.

    One block per entry of ``filters``: two 3x3 convolutions (ReLU, 'same' padding),
    2x2 max pooling (halving the picture, so each later unit sees a wider patch), then
    dropout. After the blocks: Flatten, one Dense layer of ``dense`` ReLU units with
    dropout, and the Dense softmax layer with one unit per class.

    Only standard layers are used, so the saved file loads with ``safe_mode=True`` and
    exports to ONNX unchanged.
    """
    import keras
    from keras import layers

    if not filters or any(int(f) < 1 for f in filters):
        raise ValueError(f"filters must be positive integers, got {filters!r}")
    inputs = keras.Input(shape=INPUT_SHAPE, name="char")
    x = inputs
    for block, width in enumerate(filters, start=1):
        for conv in (1, 2):
            x = layers.Conv2D(int(width), 3, padding="same", activation="relu",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
        x = layers.Dropout(dropout, name=f"block{block}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(int(dense), activation="relu", name="dense")(x)
    x = layers.Dropout(dense_dropout, name="dense_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="charnet")


def to_input(chars) -> np.ndarray:
    """Characters -> the network's float32 ``(n, 32, 32, 1)`` batch in [0, 1].

    Accepts one character ``(32, 32)`` or a batch ``(n, 32, 32)`` / ``(n, 32, 32, 1)``;
    ``uint8`` is divided by 255, floats must already be in [0, 1].
    """
    arr = np.asarray(chars)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3 or arr.shape[1:] != (INPUT_SIZE, INPUT_SIZE):
        raise ValueError(f"need {INPUT_SIZE}x{INPUT_SIZE} characters, shape (n, {INPUT_SIZE}, "
                         f"{INPUT_SIZE}) or ({INPUT_SIZE}, {INPUT_SIZE}); got {arr.shape}")
    if arr.dtype == np.uint8:
        out = arr.astype(np.float32) * np.float32(1.0 / 255.0)
    elif np.issubdtype(arr.dtype, np.floating):
        out = arr.astype(np.float32)
        if out.size and not (np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0):
            raise ValueError("float characters must be finite and within [0, 1]")
    else:
        raise ValueError(f"characters must be uint8 (0..255) or float (0..1), not {arr.dtype}")
    return out[..., None]


class CharClassifier:
    """Reads normalised characters with the exported network, through ONNX Runtime.

    ``CharClassifier()`` opens the shipped model; ``CharClassifier("run/charnet.onnx")``
    another one (its JSON sidecar must be beside it). A missing, damaged or mismatched
    file raises :class:`~classifier.model_io.ModelFileError`. Importing this class or
    calling it does not import TensorFlow.

    >>> clf = CharClassifier()                        # doctest: +SKIP
    >>> probs = clf.predict(chars)                    # (n, 36), rows sum to 1
    >>> clf.top_k(probs, k=3)[0]                      # [('8', 0.97), ('B', 0.02), ...]
    """

    def __init__(self, path: str | Path | None = None, *, alphabet: str = ALPHABET,
                 threads: int = 1) -> None:
        self.model = OnnxModel(SHIPPED_WEIGHTS if path is None else path, kind=KIND,
                               alphabet=alphabet, threads=threads)
        self.path = self.model.path  # the .onnx, also when the .keras was named
        if self.model.input_shape != INPUT_SHAPE:
            raise ModelFileError(f"{self.path}: expects inputs of shape "
                                 f"{self.model.input_shape}, not {INPUT_SHAPE}")
        self.alphabet: str = self.model.info["alphabet"]
        self.info: dict = self.model.info

    def predict(self, chars) -> np.ndarray:
        """Class probabilities, float32 ``(n, len(alphabet))``, for ``n`` characters.

        ``chars``: ``uint8`` ``(n, 32, 32)`` white-on-black characters as made by
        ``normalize_character`` (or one ``(32, 32)`` character, or floats in [0, 1]).
        """
        batch = to_input(chars)
        if len(batch) == 0:
            return np.zeros((0, len(self.alphabet)), np.float32)
        probs = self.model(batch)
        if probs.shape != (len(batch), len(self.alphabet)):
            raise ModelFileError(f"{self.path}: gave outputs of shape {probs.shape}, "
                                 f"expected ({len(batch)}, {len(self.alphabet)})")
        return probs

    def top_k(self, probs: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        """For each row of ``probs``: the ``k`` likeliest ``(character, probability)``."""
        probs = np.asarray(probs)
        k = max(1, min(int(k), probs.shape[-1]))
        order = np.argsort(-probs, axis=-1, kind="stable")[:, :k]
        return [[(self.alphabet[j], float(row[j])) for j in idx]
                for row, idx in zip(probs, order, strict=True)]

    def classify(self, chars, k: int = 3) -> list[list[tuple[str, float]]]:
        """``top_k(predict(chars), k)``: each character's likeliest readings, best first."""
        return self.top_k(self.predict(chars), k)

    def __repr__(self) -> str:
        return f"CharClassifier({str(self.path)!r})"
