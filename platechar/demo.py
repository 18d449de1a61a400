"""Teaching figures: every stage of both pipelines, one matplotlib figure per stage.

Open one photo and show how a plate is found, cut into characters and read, and how a
CRNN reads the same plate without cutting it::

    from platechar import demo

    figures = demo.segmented_figures("car.jpg")   # {"input": Figure, "grayscale": ...}
    figures = demo.holistic_figures("car.jpg")    # detection, then the CRNN's view
    figures = demo.holistic_figures("plate.png", crop=True)   # a crop: no detection
    demo.write_demo("car.jpg", "car.html")        # both, as one self-contained web page
    demo.write_demo("car.jpg", "car.png")         # ... or as one tall PNG image
    demo.training_curves("runs/chars-20261122-043954").savefig("curves.png")

Every function returns plain ``matplotlib.figure.Figure`` objects on the Agg canvas (no
window, no pyplot); matplotlib is imported when the first figure is drawn and
TensorFlow never. ``platechar demo IMAGE --out FILE`` is the same from the command line.

This module is the public face of :mod:`platechar.teaching`, where the figures are
drawn, one module per part of the story.
"""

from __future__ import annotations

# Every public name of platechar.teaching, as listed in its __all__ (kept there, once).
from platechar.teaching import *  # noqa: F403
from platechar.teaching import __all__  # noqa: F401
