# %% [markdown]
# # 4. Segmented against holistic, on the same plates
#
# Two readers, one question: which reads plates better, and at what cost?
#
# - **segmented**: cut the plate into characters, classify each one (notebook 1);
# - **holistic**: a CRNN reads the whole plate, CTC decodes it (notebook 3).
#
# We give both the same synthetic plate crops, whose true text is known exactly, and
# measure how often each reads a plate exactly, how many characters it gets wrong, and
# how long it takes. This is a simple comparison to learn from; for measuring on your own
# labelled photos, platechar has `platechar evaluate` and `platechar compare`.
# Set `PLATECHAR_QUICK=1` for a small run (the tests do); it writes only to a temporary
# folder.

# %%
import os
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import platechar
from platechar import synth
from platechar.teaching.notebook import sample_images, show_figure

QUICK = os.environ.get("PLATECHAR_QUICK") == "1"
PLATES = 24 if QUICK else 300
OUT = Path(tempfile.mkdtemp(prefix="platechar-notebook-4-"))  # never write into the repo
SAMPLES = sample_images()  # the repository's sample_images/ folder
BACKENDS = ("segmented", "holistic")


def show(figure, name: str) -> None:
    """Save a figure under OUT and, inside Jupyter, display it."""
    show_figure(figure, name, OUT)


# %% [markdown]
# ## The test plates
#
# Fresh synthetic crops (a seed neither model was trained on), in every style: US plates
# with graphics and small print, European, Brazilian, two-line, light-on-dark. Each comes
# with its exact text.

# %%
plates = synth.generate_plates(PLATES, seed=2024)
styles = sorted({plate.style for plate in plates})
print(f"{len(plates)} plates; styles: " + ", ".join(
    f"{s} {sum(p.style == s for p in plates)}" for s in styles))

figure, axes = plt.subplots(2, 4, figsize=(11, 3.6), layout="constrained")
for ax, plate in zip(axes.ravel(), plates, strict=False):
    ax.imshow(plate.image[..., ::-1])
    ax.set_title(f"{plate.text} ({plate.style})", fontsize=10)
    ax.axis("off")
figure.suptitle("Some of the test plates, with their true text", fontsize=13)
show(figure, "test-plates")
plt.close(figure)

# %% [markdown]
# ## Reading them
#
# One `platechar.Reader` per backend loads its model once; `recognize` reads a crop that
# is already cut out (no detection), one at a time, timed.

# %%
readings: dict[str, list[str]] = {}
seconds: dict[str, list[float]] = {}
for backend in BACKENDS:
    reader = platechar.Reader(backend)
    reader.recognize(plates[0].image)  # load the model before timing
    readings[backend], seconds[backend] = [], []
    for plate in plates:
        started = time.perf_counter()
        text = reader.recognize(plate.image).text
        seconds[backend].append(time.perf_counter() - started)
        readings[backend].append(text)
for plate, seg, hol in list(zip(plates, readings["segmented"], readings["holistic"],
                                strict=True))[:8]:
    print(f"true {plate.text:9s} segmented {seg or '-':9s} holistic {hol or '-'}")

# %% [markdown]
# ## Scoring
#
# Exact reads are what a parking gate needs. The **character error rate** (CER) is
# gentler: the edit distance (the fewest insertions, deletions and substitutions that
# turn the reading into the truth) divided by the truth's length.

# %%
def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance by dynamic programming, one row at a time."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


truths = [plate.text for plate in plates]
scores = {}
for backend in BACKENDS:
    exact = np.mean([r == t for r, t in zip(readings[backend], truths, strict=True)])
    cer = (sum(edit_distance(r, t) for r, t in zip(readings[backend], truths, strict=True))
           / sum(len(t) for t in truths))
    per_crop_ms = 1000 * float(np.median(seconds[backend]))
    scores[backend] = {"exact": exact, "cer": cer, "ms": per_crop_ms}
    print(f"{backend:9s}: exact {exact:6.1%}   CER {cer:.3f}   median {per_crop_ms:.1f} ms "
          "per crop")

# %%
by_style = {backend: [np.mean([readings[backend][i] == truths[i]
                               for i, p in enumerate(plates) if p.style == style])
                      for style in styles] for backend in BACKENDS}
figure, (style_ax, speed_ax) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained",
                                            width_ratios=[2.2, 1])
positions = np.arange(len(styles))
for offset, backend in zip((-0.2, 0.2), BACKENDS, strict=True):
    bars = style_ax.bar(positions + offset, by_style[backend], width=0.4, label=backend)
    style_ax.bar_label(bars, fmt="%.2f", fontsize=8)
style_ax.set_xticks(positions, styles)
style_ax.set_ylim(0, 1.25)
style_ax.set_xlabel("plate style")
style_ax.set_ylabel("plates read exactly (share)")
style_ax.set_title("Exact reads by style")
style_ax.legend(loc="upper center", ncols=2)
speed_ax.bar(BACKENDS, [scores[b]["ms"] for b in BACKENDS], color=["C0", "C1"])
speed_ax.set_ylabel("median milliseconds per crop")
speed_ax.set_title("Speed (one crop at a time)")
figure.suptitle(f"Segmented against holistic on {len(plates)} synthetic plates", fontsize=13)
show(figure, "comparison")
plt.close(figure)

# %% [markdown]
# ## Where they disagree
#
# The most instructive plates are those one reader gets right and the other wrong.

# %%
disagree = [i for i in range(len(plates))
            if (readings["segmented"][i] == truths[i]) != (readings["holistic"][i] == truths[i])]
print(f"{len(disagree)} plates read right by exactly one of the two")
if disagree:
    shown = disagree[:8]
    figure, axes = plt.subplots(1, len(shown), figsize=(11, 2.2), layout="constrained",
                                squeeze=False)
    for ax, i in zip(axes[0], shown, strict=True):
        ax.imshow(plates[i].image[..., ::-1])
        ax.set_title(f"true {truths[i]}\nseg {readings['segmented'][i] or '-'}\n"
                     f"hol {readings['holistic'][i] or '-'}", fontsize=8)
        ax.axis("off")
    figure.suptitle("Plates only one reader got right", fontsize=12)
    show(figure, "disagreements")
    plt.close(figure)

# %% [markdown]
# ## The project's sample crops
#
# The same comparison on the six crops in `sample_images/crops` (also synthetic).

# %%
labels = dict(line.split(",") for line in
              (SAMPLES / "crops" / "labels.csv").read_text().splitlines()[1:])
for name, truth in labels.items():
    read = {b: platechar.recognize(SAMPLES / "crops" / name, backend=b).text
            for b in BACKENDS}
    marks = {b: "ok" if read[b] == truth else "--" for b in BACKENDS}
    print(f"{name}: true {truth:8s} segmented {read['segmented'] or '-':8s} "
          f"[{marks['segmented']}]  holistic {read['holistic'] or '-':8s} [{marks['holistic']}]")

# %% [markdown]
# ## What to take away
#
# - The holistic reader is usually more accurate: it cannot be misled by a bad cut, and it
#   reads each character in the context of its neighbours.
# - The segmented reader tells you more: where every character is and what else it might
#   be. When it fails you can see which stage failed.
# - Both are fast on a CPU; the holistic one reads many crops at once even faster
#   (`platechar.backends.holistic.load().recognize_batch(crops)`).
# - Synthetic plates are not real photos. Before trusting either reader, measure it on
#   labelled photos like yours.
