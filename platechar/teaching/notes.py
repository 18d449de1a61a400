"""The words of the demo: what each stage's figure shows and why (the HTML page's text)."""

from __future__ import annotations

STAGE_NOTES: dict[str, tuple[str, str]] = {
    # detection
    "input": (
        "The input image",
        "The photo as platechar loads it: an array of pixels, height x width x 3 colour "
        "channels in OpenCV's blue-green-red order. Everything that follows is arithmetic "
        "on these numbers."),
    "grayscale": (
        "Grayscale",
        "Plates are found by their shape and contrast, not their colour, so the detector "
        "works on one brightness value per pixel. The histogram shows how those values are "
        "spread: a threshold is a cut somewhere along it."),
    "edges_and_morphology": (
        "Edges, thresholds and morphology",
        "Two ways to propose plates. Characters are full of vertical strokes, so the "
        "horizontal gradient (Sobel x) is dense on a plate, and a morphological closing "
        "(dilate, then erode) joins those strokes into solid bands. Separately, a local "
        "threshold marks dark ink, and ink blobs shaped like characters that stand in a row "
        "are linked into text rows."),
    "candidates": (
        "Plate candidates and their scores",
        "Every band and every text row becomes a proposal. Each proposal is warped upright "
        "and searched again for a row of characters; how many there are, how regular and how "
        "contrasted they are gives its score. Overlapping candidates are reduced to the best "
        "one (non-maximum suppression). The best candidate is the one read first."),
    "chosen_plate": (
        "The chosen plate, rectified",
        "The plate's four corners define a perspective transform (a homography) that maps "
        "the tilted quadrilateral onto an upright rectangle, so the next stages see the plate "
        "as if from the front."),
    # segmented
    "binarisations": (
        "Binarisations tried",
        "Segmentation needs ink (white here) apart from background (black). No single "
        "threshold suits every plate: Otsu's global level is clean on evenly lit plates, "
        "local thresholds survive shadows. Each is tried for dark-on-light and light-on-dark "
        "characters; the one whose characters look most like a plate's row wins. When none "
        "looks good enough, the winner's ink is kept only where it has the colour of the "
        "characters it found, which parts characters from a picture they touch."),
    "character_boxes": (
        "Character boxes kept and rejected",
        "Every connected blob of ink is a candidate character. Blobs of the wrong size or "
        "shape are rejected, with the reason shown; the rest are linked into the plate's row "
        "of characters, in reading order."),
    "character_classes": (
        "Each character, classified",
        "Each kept box is cut out, normalised to 32x32 pixels (white on black) and read by "
        "the 36-class character CNN. Its softmax gives a probability to every class; the "
        "three likeliest are shown."),
    "segmented_text": (
        "The segmented reading",
        "The text is the likeliest class of each character, in reading order. The plate's "
        "confidence is the product of the characters' probabilities: the chance that every "
        "one of them is right."),
    # holistic
    "network_input": (
        "The crop as the CRNN sees it",
        "The holistic reader does not cut the plate. The crop goes gray, is stretched to the "
        "network's fixed input of 32 x 128 pixels and standardised (zero mean, unit spread), "
        "so dim and bright plates look alike to it."),
    "ctc_probabilities": (
        "CTC probabilities over time",
        "Convolutions turn the image into a sequence of 32 columns, left to right; two "
        "bidirectional LSTMs read that sequence in both directions and, for each column "
        "(time step), give a probability to each of the 36 characters and to the CTC blank "
        "('no character here'). Bright cells are likely; the dots mark the best class of "
        "each column."),
    "greedy_decoding": (
        "Greedy CTC decoding",
        "Best path decoding: take the best class of each column, merge repeats that stand "
        "next to each other, then drop the blanks. A blank between two equal characters is "
        "what lets CTC spell a double letter such as 'LL'."),
    "two_lines": (
        "Read again as two lines",
        "A 32-pixel-high network cannot read two stacked lines as one sequence. A crop read "
        "unsurely, or squarer than a one-line plate, is read again as its top and bottom "
        "halves; when both halves read better, the plate is the top line then the bottom."),
    "holistic_text": (
        "The holistic reading",
        "Each character's confidence is its highest probability in the columns that produced "
        "it; the plate's is their product. Beam search, which adds up the probability of "
        "every path that spells the same text, gives the few likeliest whole texts."),
    # training
    "training_curves": (
        "Training curves",
        "Loss (what training minimises) and accuracy after every epoch, on the training data "
        "and on held-out validation data that is never trained on. When the validation curve "
        "stops improving while the training curve still does, the network has started to "
        "memorise its training data (overfitting)."),
}
"""Figure name -> (heading, a few sentences explaining the stage); the HTML page's text."""

REJECT_REASONS = {
    "small": "too short to be a character (dirt, bolts, small print)",
    "large": "taller than a character (the frame, the car around a loose crop)",
    "thin": "a thin sliver, thinner than a '1'",
    "wide": "far wider than any character or pair of touching characters (a bar)",
    "fill": "too little or too much ink for its box (an outline, a solid block)",
    "edge": "a thin upright bar at the crop's side (the plate's frame)",
    "off the line": "character-shaped, but not in the plate's row of characters",
    "colour": "in the row, but its ink is another colour than the characters' (an emblem)",
    "picture": "in the row, but wider than two characters and taller (a picture)",
    "emblem": "at the row's end, taller, wider and fuller than the characters (a logo)",
    "apart": "at the row's end, standing apart from the evenly spaced characters (a symbol)",
}
"""Why the segmenter rejects a blob, in words (the keys are ``Segmentation.rejected``'s)."""
