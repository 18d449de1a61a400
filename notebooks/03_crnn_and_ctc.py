# %% [markdown]
# # 3. Reading without cutting: the CRNN and CTC
#
# Notebook 1 showed the weak point of the classical pipeline: if two characters touch,
# segmentation hands the classifier a wrong cut-out, and nothing later can repair it.
# The **holistic** reader never cuts. A CRNN (convolutional recurrent neural network)
# reads the whole plate as a *sequence of columns*, left to right, and answers, for each
# column, a probability for every character and for one extra class, the **blank**.
#
# It is trained on plates and their texts only: nobody says which column holds which
# character. **CTC** (connectionist temporal classification) makes that possible: it
# scores a text by adding up the probability of *every* column-by-column path that spells
# it. This notebook builds CTC up from a toy example, then looks inside the shipped
# network. Reading runs through ONNX Runtime; only the optional last cell needs
# TensorFlow.

# %%
import itertools
import os
import tempfile
from pathlib import Path

import numpy as np

import platechar
from classifier.crnn import ALPHABET, BLANK, beam_decode, greedy_decode
from platechar import demo
from platechar.teaching.notebook import sample_images, show_figure

QUICK = os.environ.get("PLATECHAR_QUICK") == "1"  # the tests: skip the TensorFlow cell
OUT = Path(tempfile.mkdtemp(prefix="platechar-notebook-3-"))  # never write into the repo
SAMPLES = sample_images()  # the repository's sample_images/ folder


def show(figure, name: str) -> None:
    """Save a figure under OUT and, inside Jupyter, display it."""
    show_figure(figure, name, OUT)


# %% [markdown]
# ## Paths and texts
#
# A *path* gives one class per column; `-` is the blank. A path becomes text in two
# steps: **merge repeats** standing side by side, then **drop the blanks**. Many paths
# spell the same text, and a blank is what separates a real double letter.

# %%
def collapse(path: str) -> str:
    """The text a CTC path spells: repeats merged, then blanks ('-') dropped."""
    merged = [char for i, char in enumerate(path) if i == 0 or char != path[i - 1]]
    return "".join(char for char in merged if char != "-")


for path in ("AA-B", "A--B", "-A-B", "AAAB", "A-AB", "AB--"):
    print(f"{path} -> {collapse(path)!r}")

# %% [markdown]
# ## The probability of a text
#
# Take a toy network with 5 columns and the classes A, B and blank. Each column's
# probabilities sum to 1. The probability of a *path* is the product of its columns'
# probabilities; the probability of a *text* is the sum over all paths that spell it.
# With 3 classes and 5 columns there are only 3^5 = 243 paths, so we can simply list
# them all.

# %%
rng = np.random.default_rng(0)
toy_classes = "AB-"
logits = rng.normal(0, 1.5, size=(5, 3))
toy = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # softmax per column
print("toy probabilities (columns x classes A, B, -):\n", toy.round(2))

by_text: dict[str, float] = {}
for indices in itertools.product(range(3), repeat=5):
    path = "".join(toy_classes[i] for i in indices)
    probability = float(np.prod(toy[np.arange(5), indices]))
    by_text[collapse(path)] = by_text.get(collapse(path), 0.0) + probability
ranked = sorted(by_text.items(), key=lambda item: -item[1])
print("likeliest texts:", [(text, round(p, 3)) for text, p in ranked[:5]])
print("all texts together:", round(sum(by_text.values()), 6))  # every path spells something

# %% [markdown]
# Real plates have 32 columns and 37 classes: 37^32 paths, far too many to list. The
# **forward algorithm** gets the same sum by dynamic programming. It walks along the
# label with a blank between every pair of characters and at both ends
# (`A B` becomes `- A - B -`), and keeps, for each column, the total probability of all
# path prefixes that end at each of those positions.

# %%
def ctc_probability(probs: np.ndarray, label: list[int], blank: int) -> float:
    """P(label | probs): the sum over every path that collapses to ``label``."""
    extended = [blank]
    for index in label:
        extended += [index, blank]
    steps, positions = len(probs), len(extended)
    alpha = np.zeros((steps, positions))
    alpha[0, 0] = probs[0, blank]
    if positions > 1:
        alpha[0, 1] = probs[0, extended[1]]
    for t in range(1, steps):
        for s in range(positions):
            total = alpha[t - 1, s]  # stay on the same position
            if s >= 1:
                total += alpha[t - 1, s - 1]  # move on by one
            if s >= 2 and extended[s] != blank and extended[s] != extended[s - 2]:
                total += alpha[t - 1, s - 2]  # skip a blank between different characters
            alpha[t, s] = total * probs[t, extended[s]]
    return float(alpha[-1, -1] + (alpha[-1, -2] if positions > 1 else 0.0))


for text in ("AB", "A", "BA", "AA", ""):
    label = [toy_classes.index(char) for char in text]
    print(f"{text!r}: listing every path {by_text.get(text, 0.0):.5f}, forward algorithm "
          f"{ctc_probability(toy, label, blank=2):.5f}")

# %% [markdown]
# Training minimises the **CTC loss**, `-log P(true text)`: it raises the probability of
# every path that spells the right text, without ever saying where each character is.
# (platechar trains with `keras.ops.ctc_loss`, which computes the same thing.)
#
# ## Decoding: greedy and beam search
#
# To read, we want the likeliest *text*. The greedy decoder takes the best class of each
# column and collapses that one path: fast, and usually right. It can miss, because a
# text's probability is spread over many paths. Two columns, each 60% blank and 40% "A":

# %%
two_columns = np.zeros((2, len(ALPHABET) + 1))
two_columns[:, BLANK] = 0.6
two_columns[:, ALPHABET.index("A")] = 0.4
greedy_text = "".join(char.char for char in greedy_decode(two_columns))
print(f"greedy: {greedy_text!r} (the single best path '--' has probability 0.36)")
print("beam search:", [(text, round(p, 2)) for text, p in beam_decode(two_columns)])

# %% [markdown]
# "A" is spelled by `A-`, `-A` and `AA`: 0.24 + 0.24 + 0.16 = 0.64, more than the 0.36 of
# the empty text. Beam search keeps the few likeliest text prefixes column by column,
# summing their paths, and finds it.
#
# ## The real network
#
# The shipped CRNN: six convolution layers (with batch normalisation and pooling) shrink a
# 32 x 128 gray plate to 32 columns of features; two bidirectional LSTMs read those
# columns in both directions, so each column's answer can use the context on either side;
# a dense layer and a softmax give 37 probabilities per column.

# %%
from platechar.backends.holistic import load  # noqa: E402

recognizer = load()
info = recognizer.info
print("input:", info["input_shape"], "| parameters:", info["parameters"],
      "| blank index:", info["blank"])
print("trained on:", info["trained_on"]["synthetic_plates"], "synthetic plates and",
      info["trained_on"]["labelled_crops"], "labelled real crops")
print("measured:", {k: v for k, v in info["measured"].items() if k != "benchmark"})

# %%
crop_path = SAMPLES / "crops" / "crop_0000000.png"
labels = dict(line.split(",") for line in
              (SAMPLES / "crops" / "labels.csv").read_text().splitlines()[1:])
crop = platechar.load_image(crop_path)
probs = recognizer.probabilities([crop])[0]
print("label:", labels[crop_path.name], "| output:", probs.shape, "(columns x classes)")
for char in greedy_decode(probs):
    print(f"  {char.char}: columns {char.first}-{char.last}, peak probability "
          f"{char.confidence:.2f}")

# %%
figures = demo.holistic_figures(crop, crop=True)
for name in ("network_input", "ctc_probabilities", "greedy_decoding", "holistic_text"):
    show(figures[name], f"crnn-{name}")

# %% [markdown]
# Most columns say "blank" with near certainty; each character is a sharp spike in one or
# two columns. Nobody taught the network where characters are, yet the spikes sit over
# them: the alignment emerged from CTC training. That is why the holistic reading can give
# each character an approximate box (the dotted stripes).
#
# ## Every sample crop: greedy and beam search

# %%
for path in sorted((SAMPLES / "crops").glob("*.png")):
    crop = platechar.load_image(path)
    reading = recognizer.recognize(crop)
    beams = recognizer.candidates(crop, top=3)
    print(f"{path.name}: label {labels[path.name]:8s} read {reading.text or '-':8s} "
          f"({reading.confidence:.2f}); beam: "
          + ", ".join(f"{text} {p:.2f}" for text, p in beams))

# %% [markdown]
# ## Optional: what the first convolutions see (needs TensorFlow)
#
# The ONNX file gives only the final probabilities. The Keras file of the same network
# can show the feature maps of an inner layer: each of the 16 filters of the first
# convolution responds to a simple pattern such as a vertical or horizontal edge. This
# cell imports TensorFlow (several seconds); the quick mode of the tests skips it.

# %%
SHOW_FEATURE_MAPS = not QUICK
if SHOW_FEATURE_MAPS:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import matplotlib.pyplot as plt

    from classifier.crnn import preprocess
    from classifier.model_io import load_keras_model

    model = load_keras_model(Path(platechar.__file__).parent / "weights" / "crnn.keras")
    first_layer = keras.Model(model.inputs[0], model.get_layer("relu1").output)
    crop = platechar.load_image(crop_path)
    maps = first_layer(preprocess(crop)[None])[0].numpy()  # (32, 128, 16)
    figure, axes = plt.subplots(4, 4, figsize=(11, 4.2), layout="constrained")
    for index, ax in enumerate(axes.ravel()):
        ax.imshow(maps[:, :, index], cmap="viridis")
        ax.set_title(f"filter {index + 1}", fontsize=9)
        ax.axis("off")
    figure.suptitle("Feature maps of the first convolution (after ReLU): bright = strong "
                    "response", fontsize=12)
    show(figure, "crnn-feature-maps")
    plt.close(figure)
