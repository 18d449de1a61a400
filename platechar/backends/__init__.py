"""Recognition backends: one module each, each with ``load() -> recognizer`` whose
``recognize(crop_bgr)`` returns a :class:`~platechar.results.PlateReading`
(registered in :data:`platechar.reader.BACKENDS`)."""
