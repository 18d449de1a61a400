"""The verbs of the ``platechar`` command, one module each (see :mod:`platechar.cli`).

Each module offers ``register(subparsers)`` and imports its heavy dependencies only
when its verb runs, so ``platechar --help`` stays fast.
"""
