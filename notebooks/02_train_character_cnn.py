# %% [markdown]
# # 2. Training the character CNN in a few minutes
#
# The segmented pipeline's last stage is a small convolutional network that reads one
# 32x32 character. Here we train one from nothing, with synthetic characters, using the
# project's own training code (`classifier.train_chars`, the code behind
# `platechar train chars`), then measure it against the model platechar ships.
#
# The full recipe (60,000 characters, ~30 epochs) takes about 25 minutes on two CPU
# cores; this notebook uses a few thousand characters and a few epochs, enough to see a
# network learn. Training needs TensorFlow and tf2onnx (`pip install -e ".[train]"`);
# reading needs neither. Set `PLATECHAR_QUICK=1` for a tiny run of a few seconds (the
# tests do). Everything is written to a temporary folder.

# %%
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from platechar.teaching.notebook import show_figure

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow: warnings and errors only

QUICK = os.environ.get("PLATECHAR_QUICK") == "1"
TRAIN_CHARS = 360 if QUICK else 7200    # about 10 / 200 per class
TEST_CHARS = 180 if QUICK else 1800
EPOCHS = 2 if QUICK else 8
OUT = Path(tempfile.mkdtemp(prefix="platechar-notebook-2-"))  # never write into the repo


def show(figure, name: str) -> None:
    """Save a figure under OUT and, inside Jupyter, display it."""
    show_figure(figure, name, OUT)


print(f"quick mode: {QUICK}; writing to {OUT}")

# %% [markdown]
# ## Data: synthetic characters
#
# `platechar.synth` renders plates in many styles and fonts, dirties them (blur, noise,
# perspective, shadows) and cuts every character out the way the segmenter will, so the
# network trains on what it will see. The layout is one folder per class, which Keras
# reads directly. Two seeds give two disjoint sets: one to train on, one to test on.

# %%
from platechar import synth  # noqa: E402

started = time.perf_counter()
train_dir = synth.write_chars(synth.make_spec("chars", seed=1), OUT / "chars", TRAIN_CHARS)
test_dir = synth.write_chars(synth.make_spec("chars", seed=2), OUT / "chars-test", TEST_CHARS)
print(f"{TRAIN_CHARS} training and {TEST_CHARS} test characters in "
      f"{time.perf_counter() - started:.1f} s")
per_class = {d.name: len(list(d.glob("*.png"))) for d in sorted(train_dir.iterdir())
             if d.is_dir()}
print("per class:", per_class)

# %%
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

figure, axes = plt.subplots(3, 12, figsize=(11, 3.4), layout="constrained")
for ax, (label, _) in zip(axes.ravel(), per_class.items(), strict=False):
    sample = next((train_dir / label).glob("*.png"), None)
    if sample is not None:
        ax.imshow(np.asarray(Image.open(sample)), cmap="gray", vmin=0, vmax=255)
    ax.set_title(label, fontsize=11)
    ax.axis("off")
figure.suptitle("One training character per class (32 x 32, white on black)", fontsize=13)
show(figure, "training-samples")
plt.close(figure)

# %% [markdown]
# ## Training
#
# `train_char_classifier` builds the network (`classifier.charnet.build_charnet`: three
# blocks of two 3x3 convolutions and a pooling, a dense layer, a softmax over 36
# classes), augments every image a little each time it is seen (shifts, rotations,
# zoom), holds 10% out for validation, and keeps a run folder with `log.csv`,
# checkpoints and TensorBoard logs. The same run from the command line:
#
# ```sh
# platechar train chars CHARS_DIR --epochs 8 --batch-size 64 --test TEST_DIR --runs RUNS
# ```

# %%
from classifier.train_chars import train_char_classifier  # noqa: E402  (imports TensorFlow)

result = train_char_classifier([train_dir], OUT / "runs", epochs=EPOCHS, batch_size=64,
                               patience=EPOCHS, test_dirs=[test_dir], verbose=2)
print(f"{result.epochs_run} epochs in {result.seconds:.0f} s; validation accuracy "
      f"{result.val_accuracy:.3f}, test accuracy {result.test_accuracy:.3f}")
print("run folder:", result.run_dir)
print("exported:", {kind: path.name for kind, path in result.exported.items()})

# %% [markdown]
# ## Training curves
#
# The loss is what training minimises (cross-entropy: how surprised the network is by
# the right answer); accuracy is what we care about. Validation images are never trained
# on, so their curve says whether the network generalises or memorises. Here validation
# scores *better* than training: training images are augmented (shifted, rotated...) and
# dropout switches units off while training, both of which make training harder on
# purpose; validation images are read clean, by the whole network.

# %%
from platechar import demo  # noqa: E402

show(demo.training_curves(result.run_dir), "training-curves")

# %% [markdown]
# ## Our model against the shipped one
#
# Both read the same fresh test characters through ONNX Runtime, the way the segmented
# backend reads. The shipped model was made by `classifier/train_charnet.sh`: 28 epochs on
# 60,000 synthetic characters, then 14 more beside 1,153 real characters harvested from
# plate crops, so it has seen far more than this quick run.

# %%
from classifier.charnet import CharClassifier  # noqa: E402

test_files = sorted(test_dir.glob("*/*.png"))
test_images = np.stack([np.asarray(Image.open(f)) for f in test_files])
test_labels = np.array([f.parent.name for f in test_files])
ours = CharClassifier(result.exported["onnx"])
shipped = CharClassifier()
predictions = {}
for name, model in (("ours", ours), ("shipped", shipped)):
    predicted = np.array([options[0][0] for options in model.classify(test_images, k=1)])
    predictions[name] = predicted
    print(f"{name:8s} accuracy on {len(test_labels)} test characters: "
          f"{np.mean(predicted == test_labels):.3f}")

# %% [markdown]
# Which characters does our model get wrong? After a short training, mostly pairs that
# look alike (O and 0, I and 1, 8 and B), and classes it has seen only a few times.

# %%
wrong = np.nonzero(predictions["ours"] != test_labels)[0]
wrong = np.sort(np.random.default_rng(0).permutation(wrong)[:16])  # a sample of them
if len(wrong):
    figure, axes = plt.subplots(1, len(wrong), figsize=(min(11, 0.9 * len(wrong) + 1), 1.9),
                                layout="constrained", squeeze=False)
    for ax, index in zip(axes[0], wrong, strict=True):
        ax.imshow(test_images[index], cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{test_labels[index]}->{predictions['ours'][index]}", fontsize=10)
        ax.axis("off")
    figure.suptitle("Mistakes of our model: true -> read", fontsize=12)
    show(figure, "mistakes")
    plt.close(figure)

# %% [markdown]
# ## Going further
#
# - Raise `TRAIN_CHARS` and `EPOCHS`: how does test accuracy grow with data and time?
# - Train on real characters cut from your own plates: `platechar harvest` writes them
#   in the same one-folder-per-class layout, and `--init-from` fine-tunes the shipped
#   model instead of starting from nothing.
# - Use the model in the segmented backend:
#   `platechar.backends.segmented.load(result.exported["onnx"])`.
