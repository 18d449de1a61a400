"""Synthetic licence plates with exact ground truth: training and test data from nothing.

::

    from platechar import synth

    items = synth.generate_plates(100, seed=1, styles="us,eu", size=(128, 32))
    items[0].image, items[0].text, items[0].char_boxes, items[0].style

    scenes = synth.generate_scenes(5, seed=1)           # .image .box .quad .text
    chars = synth.generate_chars(360, seed=1)           # 32x32, white on black
    ds = synth.make_keras_dataset("crops", batch_size=64, size=(128, 32))  # PyDataset

The pieces: :mod:`~platechar.synth.styles` (what plates look like),
:mod:`~platechar.synth.fonts` (fonts found on the machine, glyph cache),
:mod:`~platechar.synth.render` (a clean plate), :mod:`~platechar.synth.augment`
(realism; boxes follow), :mod:`~platechar.synth.crops`, :mod:`~platechar.synth.scenes`,
:mod:`~platechar.synth.dataset` (seeding, parallel runs, batches),
:mod:`~platechar.synth.writers` (files) and :mod:`~platechar.synth.preview`
(contact sheet). Importing this package does not import TensorFlow or Keras.
"""

from __future__ import annotations

from platechar.synth.augment import PRESETS, AugmentConfig, Effect, get_augment
from platechar.synth.dataset import (
    CharSample,
    batches,
    cut_characters,
    generate_chars,
    generate_plates,
    generate_scenes,
    iter_plates,
    make_batch,
    make_keras_dataset,
    make_spec,
)
from platechar.synth.fonts import discover_fonts
from platechar.synth.preview import contact_sheet, write_contact_sheet
from platechar.synth.render import CleanPlate, render_plate
from platechar.synth.samples import PlateSample, SceneSample
from platechar.synth.styles import Band, PlateStyle, get_style, register_style, style_names
from platechar.synth.writers import write_chars, write_crops, write_scenes

__all__ = [
    "generate_plates",
    "iter_plates",
    "generate_scenes",
    "generate_chars",
    "batches",
    "make_batch",
    "make_keras_dataset",
    "make_spec",
    "cut_characters",
    "write_crops",
    "write_chars",
    "write_scenes",
    "contact_sheet",
    "write_contact_sheet",
    "render_plate",
    "PlateSample",
    "SceneSample",
    "CharSample",
    "CleanPlate",
    "PlateStyle",
    "Band",
    "get_style",
    "register_style",
    "style_names",
    "AugmentConfig",
    "Effect",
    "PRESETS",
    "get_augment",
    "discover_fonts",
]
