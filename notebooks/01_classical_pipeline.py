# %% [markdown]
# # 1. The classical pipeline, step by step
#
# How does a computer read a licence plate without "understanding" the picture? The
# classical (segmented) pipeline splits the job into three stages, each simple enough to
# look at:
#
# 1. **detection**: find the plate in the photo with plain image processing (edges,
#    thresholds, morphology), no learned model;
# 2. **segmentation**: cut the plate into its characters (binarise, find connected blobs
#    of ink, keep the character-shaped ones);
# 3. **classification**: read each character with a small convolutional network (36
#    classes: 0-9 and A-Z).
#
# This notebook runs each stage by hand on one of the project's sample photos and shows
# what it produced. Run it top to bottom (in Jupyter, VS Code, or `python
# notebooks/01_classical_pipeline.py`); it writes only to a temporary folder.

# %%
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

import platechar
from platechar import demo
from platechar.teaching.notebook import sample_images, show_figure

QUICK = os.environ.get("PLATECHAR_QUICK") == "1"  # the tests' quick mode (no effect here)
OUT = Path(tempfile.mkdtemp(prefix="platechar-notebook-1-"))  # never write into the repo
SAMPLES = sample_images()  # the repository's sample_images/ folder


def show(figure, name: str) -> None:
    """Save a figure under OUT and, inside Jupyter, display it."""
    show_figure(figure, name, OUT)


print("figures go to", OUT)

# %% [markdown]
# ## The photo
#
# An image is an array of numbers: height x width x 3 colour channels, each 0-255.
# OpenCV (and platechar) keep the channels in blue-green-red order.

# %%
scene_path = SAMPLES / "scenes" / "scene_0000000.jpg"
image = platechar.load_image(scene_path)
print("shape:", image.shape, "dtype:", image.dtype)
print("the top-left pixel (B, G, R):", image[0, 0])
truth = dict(line.split("\t")[0::5] for line in
             (SAMPLES / "scenes" / "labels.txt").read_text().splitlines())
print("what the plate says (the label):", truth[scene_path.name])

# %% [markdown]
# ## Stage 1: detection
#
# `platechar.detect` returns plate *candidates*, best first. Pass a dict as `stages` to
# get the intermediate images back, by name.

# %%
stages = {}
candidates = platechar.detect(image, stages=stages)
print("stage images:", ", ".join(f"{name} {array.shape}" for name, array in stages.items()))
for rank, candidate in enumerate(candidates, start=1):
    print(f"#{rank}: box {candidate.box}, score {candidate.score:.2f}, "
          f"found by {candidate.method}, evidence {candidate.details}")

# %% [markdown]
# Two ideas make the proposals. Characters are full of vertical strokes, so the
# **horizontal gradient** (Sobel x) is dense on a plate; a **morphological closing**
# (dilate, then erode, with a wide flat kernel) melts those strokes into solid bands.
# We can do the first step ourselves with two OpenCV calls:

# %%
gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
sobel_x = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3))
strong = (sobel_x > np.percentile(sobel_x, 95)).astype(np.uint8) * 255
closed = cv2.morphologyEx(strong, cv2.MORPH_CLOSE, np.ones((3, 17), np.uint8))
print(f"strong vertical edges: {np.count_nonzero(strong)} pixels; after closing: "
      f"{np.count_nonzero(closed)}")

# %% [markdown]
# The detector does the same (with more care) at several scales. `platechar.demo` draws
# every stage; its `candidate` argument chooses which plate to follow (1 = the best).
# Here we follow candidate #2: candidate #1 is not the plate but a sign on the car door
# with plate-like text. A detector that looks only at shapes cannot tell a plate from
# other text of the same size; that is why `platechar.read` returns every candidate,
# each with its score.

# %%
trace = demo.trace_plate(scene_path, candidate=2)
for name, figure in demo.detection_figures(trace).items():
    show(figure, f"detection-{name}")
crop = trace.crop
print("the rectified plate crop:", crop.shape)

# %% [markdown]
# ## Stage 2: segmentation
#
# The crop is binarised (ink vs background) several ways; each connected blob of ink is
# judged by its shape; character-shaped blobs standing in a row are the characters.

# %%
segmentation = platechar.segment(crop)
print("binarisation chosen:", segmentation.binarisation, "score", round(segmentation.score, 2))
print("character boxes (x, y, w, h):", segmentation.boxes.tolist())
print("rejected:", [why for _, why in segmentation.rejected])
print("cut-outs for the classifier:", segmentation.images.shape)

# %% [markdown]
# Try the simplest binarisation by hand: Otsu's method picks the gray level that best
# splits the histogram into two groups. The plate's characters here are *lighter* than
# its background, so ink is what lies above the level.

# %%
crop_gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
level, ink = cv2.threshold(crop_gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
count, labels, blob_stats, _ = cv2.connectedComponentsWithStats(ink)
tall = [[int(v) for v in s[:4]] for s in blob_stats[1:] if s[3] > 0.4 * crop.shape[0]]
print(f"Otsu level {level:.0f}; {count - 1} blobs, {len(tall)} of them taller than 40% "
      f"of the plate (x, y, w, h): {tall}")

# %% [markdown]
# One of those blobs is as tall as the crop: "522" has merged with the light edge of the
# plate. One global threshold is rarely enough; the segmenter tries several and keeps the
# one whose blobs look most like a row of characters:

# %%
segmented_figures = demo.segmented_figures(trace)
for name in ("binarisations", "character_boxes"):
    show(segmented_figures[name], f"segmentation-{name}")

# %% [markdown]
# ## Stage 3: classification
#
# Each cut-out is a 32x32 white-on-black character. The character CNN gives a
# probability to each of the 36 classes (it runs through ONNX Runtime: no TensorFlow is
# needed to read).

# %%
from classifier.charnet import CharClassifier  # noqa: E402  (imported where it is taught)

classifier = CharClassifier()
for number, options in enumerate(classifier.classify(segmentation.images, k=3), start=1):
    print(f"#{number}:", ",  ".join(f"{char} {p:.2f}" for char, p in options))

# %%
show(segmented_figures["character_classes"], "classification-top3")
show(segmented_figures["segmented_text"], "classification-text")

# %% [markdown]
# Look at the character boxes again: "5" and "2" touch, so they were one blob, and the
# classifier, shown "52", confidently answered "2". Each stage trusts the one before it;
# a segmentation mistake cannot be repaired later. The holistic reader (notebook 3)
# avoids cutting altogether.
#
# ## All at once
#
# `platechar.read` runs the three stages for every candidate.

# %%
for path in sorted((SAMPLES / "scenes").glob("*.jpg")):
    readings = platechar.read(path)
    read = ", ".join(f"{r.text or '-'} ({r.confidence:.2f})" for r in readings) or "no plate"
    print(f"{path.name}: label {truth[path.name]}; read {read}")

# %% [markdown]
# ## Try it yourself
#
# - `platechar demo sample_images/scenes/scene_0000002.jpg --out demo.html` writes all of
#   these figures (and the holistic reader's) into one web page.
# - Photograph a plate, or make scenes with `platechar synth scenes out/ --count 5`, and
#   find a case where detection, segmentation or classification fails. Which stage was it?
