"""The errors platechar raises.

Every problem a user can cause (a bad image, a missing or corrupt model file, a
malformed dataset) surfaces as a subclass of :class:`PlatecharError` with a message
that says what was wrong and what to do about it. A user never has to catch an
OpenCV assertion, a numpy ``IndexError`` or a TensorFlow stack trace.
"""

from __future__ import annotations


class PlatecharError(Exception):
    """Base class of every error platechar raises on purpose."""


class ImageError(PlatecharError, ValueError):
    """An input could not be used as an image (missing, unreadable, wrong shape or dtype...)."""


class ModelError(PlatecharError):
    """A model file is missing, corrupt, or does not match what platechar expects."""


class DatasetError(PlatecharError):
    """A dataset (labels file, folder of crops) is missing or malformed."""


__all__ = ["PlatecharError", "ImageError", "ModelError", "DatasetError"]
