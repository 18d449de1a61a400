"""Saving and loading the models: a Keras file for training, ONNX for reading, JSON beside.

A trained network is written three ways, side by side with one stem::

    charnet.keras   Keras 3 file: reload with ``safe_mode=True`` to fine-tune or export again
    charnet.onnx    the same network for ONNX Runtime, the fast path used to read plates
    charnet.json    the sidecar: what the network expects and how well it did

Reading goes through ONNX Runtime, not TensorFlow: importing TensorFlow takes seconds
and ``model.predict`` tens of milliseconds per call, while ONNX Runtime answers a small
CNN in well under a millisecond. The ONNX file is exported from the Keras one by
``tf2onnx`` (``model.export(format="onnx")``), so both compute the same function; the
tests check that they agree.

This module imports TensorFlow/Keras only inside the functions that train or export,
and ONNX Runtime only when a model is opened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

SIDECAR_REQUIRED = ("kind", "alphabet", "input_shape")
"""Keys every sidecar has: the model kind ("charnet", "crnn"), its alphabet and the
shape of one input (height, width, channels)."""


class ModelFileError(ValueError):
    """A model file is missing, corrupt, or does not match what the caller expects."""


def onnx_path(path: str | Path) -> Path:
    """The ``.onnx`` file of an export named by any of its three files: ``STEM.onnx``
    (what is run), ``STEM.keras`` (what is trained on) or ``STEM.json`` (the sidecar)."""
    path = Path(path)
    return path.with_suffix(".onnx") if path.suffix in (".keras", ".json") else path


def sidecar_path(path: str | Path) -> Path:
    """The JSON sidecar that belongs to a ``.keras`` or ``.onnx`` file."""
    return Path(path).with_suffix(".json")


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """Read and check a model's JSON sidecar (``path`` may be the model or the JSON)."""
    json_path = sidecar_path(path)
    try:
        info = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{json_path}: the model's JSON sidecar is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{json_path}: not a readable JSON sidecar ({exc})") from None
    if not isinstance(info, dict):
        raise ModelFileError(f"{json_path}: the sidecar must hold a JSON object")
    missing = [key for key in SIDECAR_REQUIRED if key not in info]
    if missing:
        raise ModelFileError(f"{json_path}: the sidecar lacks {', '.join(missing)}")
    return info


def check_sidecar(info: Mapping[str, Any], *, kind: str, alphabet: str | None = None,
                  source: str | Path = "model") -> None:
    """Refuse a sidecar written for another kind of model or another alphabet."""
    if info.get("kind") != kind:
        raise ModelFileError(f"{source}: a {info.get('kind')!r} model, expected {kind!r}")
    if alphabet is not None and info.get("alphabet") != alphabet:
        raise ModelFileError(f"{source}: trained for alphabet {info.get('alphabet')!r}, "
                             f"expected {alphabet!r}")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model, stem: str | Path, info: Mapping[str, Any], *, onnx: bool = True
               ) -> dict[str, Path]:
    """Write ``stem.keras``, ``stem.onnx`` (unless ``onnx=False``) and ``stem.json``.

    ``info`` becomes the sidecar; it must hold :data:`SIDECAR_REQUIRED`. The sidecar also
    records each file's SHA-256, so a damaged or swapped file is caught when it is opened.
    Returns the paths written, by suffix.
    """
    missing = [key for key in SIDECAR_REQUIRED if key not in info]
    if missing:
        raise ValueError(f"sidecar info lacks {', '.join(missing)}")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = {"keras": stem.with_suffix(".keras")}
    model.save(paths["keras"])
    if onnx:
        paths["onnx"] = stem.with_suffix(".onnx")
        export_onnx(model, paths["onnx"])
    sidecar = dict(info)
    sidecar["files"] = {path.name: file_sha256(path) for path in paths.values()}
    paths["json"] = sidecar_path(stem)
    paths["json"].write_text(json.dumps(sidecar, indent=2, sort_keys=False) + "\n",
                             encoding="utf-8")
    return paths


def export_onnx(model, path: str | Path) -> Path:
    """Export a Keras model to ONNX (needs ``tf2onnx``, in the ``train`` extra)."""
    try:
        import tf2onnx  # noqa: F401  (Keras calls it; a clear message if it is absent)
    except ImportError:
        raise ModelFileError("exporting to ONNX needs tf2onnx: "
                             "pip install 'platechar[train]'") from None
    shape = tuple(model.inputs[0].shape)
    model(np.zeros((1, *shape[1:]), dtype="float32"))  # Keras exports only a called model
    path = Path(path)
    model.export(str(path), format="onnx", verbose=False)
    return path


def load_keras_model(path: str | Path, *, custom_objects: Mapping[str, Any] | None = None):
    """Load a ``.keras`` file with ``safe_mode=True``; any failure is a ModelFileError."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    import keras

    try:
        return keras.saving.load_model(path, custom_objects=dict(custom_objects or {}),
                                       safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many kinds for a damaged zip or config
        raise ModelFileError(f"{path}: not a loadable Keras model "
                             f"({type(exc).__name__}: {exc})") from None


class OnnxModel:
    """An ONNX network opened with ONNX Runtime on the CPU: ``model(batch) -> outputs``.

    ``path`` is the ``.onnx`` file; its sidecar is read and checked (and, when it lists
    SHA-256 sums, the file's checked against it) before the session is built. One
    intra-op thread by default: for batches of a few characters or plates, thread
    start-up costs more than it saves.
    """

    def __init__(self, path: str | Path, *, kind: str, alphabet: str | None = None,
                 threads: int = 1) -> None:
        self.path = onnx_path(path)
        if not self.path.is_file():
            raise ModelFileError(f"{self.path}: no such model file")
        self.info = read_sidecar(self.path)
        check_sidecar(self.info, kind=kind, alphabet=alphabet, source=self.path)
        expected = self.info.get("files", {}).get(self.path.name)
        if expected is not None and file_sha256(self.path) != expected:
            raise ModelFileError(f"{self.path}: the file does not match the SHA-256 in its "
                                 "sidecar (damaged, or replaced without its sidecar)")
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelFileError("reading plates needs onnxruntime: "
                                 "pip install onnxruntime") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(self.path), sess_options=options,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise ModelFileError(f"{self.path}: not a loadable ONNX model "
                                 f"({type(exc).__name__}: {exc})") from None
        self.input_name = self.session.get_inputs()[0].name
        self.input_shape = tuple(int(v) for v in self.info["input_shape"])

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """Run a float32 batch of shape ``(n, *input_shape)``; returns the first output."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if batch.shape[1:] != self.input_shape:
            raise ValueError(f"{self.path.name} expects inputs of shape (n, "
                             f"{', '.join(map(str, self.input_shape))}), got {batch.shape}")
        return self.session.run(None, {self.input_name: batch})[0]
