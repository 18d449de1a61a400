"""platechar: read vehicle licence plates, segmented or holistic, and compare the two.

The public surface is small::

    import platechar
    plates = platechar.detect("car.jpg")          # where are the plates?
    chars = platechar.segment(plates[0].crop)     # where are a plate's characters?
    readings = platechar.read("car.jpg")          # what do they say?
    data = platechar.open_dataset("crops/", labels="labels.csv")
    platechar.compare(data)                       # segmented vs holistic, and why they fail

Importing platechar is cheap: OpenCV loads when an image is first handled and
TensorFlow only when a model is first needed.
"""

from __future__ import annotations

import importlib

from platechar._version import __version__
from platechar.alphabet import ALPHABET
from platechar.errors import DatasetError, ImageError, ModelError, PlatecharError

# name -> module that defines it; imported on first access (PEP 562).
_LAZY = {
    "load_image": "platechar.images",
    "MAX_IMAGE_PIXELS": "platechar.images",
    "detect": "platechar.reader",
    "segment": "platechar.reader",
    "read": "platechar.reader",
    "recognize": "platechar.reader",
    "Reader": "platechar.reader",
    "PlateReading": "platechar.results",
    "CharReading": "platechar.results",
    "PlateCandidate": "detection.types",
    "Segmentation": "segmentation.segmenter",
    "open_dataset": "platechar.datasets",
    "evaluate": "platechar.evaluation",
    "compare": "platechar.evaluation",
}

__all__ = [
    "__version__",
    "ALPHABET",
    "PlatecharError",
    "ImageError",
    "ModelError",
    "DatasetError",
    *_LAZY,
]


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'platechar' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
