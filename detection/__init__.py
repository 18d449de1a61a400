"""Stage 1: find licence plates in a photo with classical OpenCV methods.

``detect_plates(image)`` returns :class:`PlateCandidate` objects, best first, each with
a box, a 4-corner quad and a perspective-corrected crop.
"""

from detection.detector import detect_plates
from detection.geometry import iou, rectify, width_covered
from detection.types import PlateCandidate

__all__ = ["detect_plates", "PlateCandidate", "iou", "rectify", "width_covered"]
