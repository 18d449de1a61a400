"""Training glue that needs platechar itself (synthetic plates, labels, the package's
version) around the model code in :mod:`classifier`, which never imports platechar.

Imports nothing heavy: TensorFlow loads only when a training function runs.
"""
