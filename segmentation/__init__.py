"""Stage 2 of the segmented pipeline: cut a plate crop into its characters by contours.

(Arrives with issue 4: binarisation, connected components filtered by geometry,
reading order, and each character normalised for the classifier.)
"""
