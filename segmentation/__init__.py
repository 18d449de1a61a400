"""Stage 2 of the segmented pipeline: cut a plate crop into its characters by contours.

``segment_characters(crop)`` binarises the crop several ways, keeps the connected
components shaped like characters, finds the plate's text row (or two rows), repairs
broken and touching characters, keeps the most consistent binarisation, and cuts each
character out normalised for the classifier (:func:`normalize_character`).
"""

from segmentation.normalize import normalize_character
from segmentation.segmenter import Segmentation, SegmentedCharacter, segment_characters

__all__ = ["Segmentation", "SegmentedCharacter", "normalize_character", "segment_characters"]
