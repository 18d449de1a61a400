"""The characters platechar reads: digits then capital letters, 36 classes.

The holistic (CTC) model adds one more class, the *blank*, after these 36.
"""

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NUM_CLASSES = len(ALPHABET)
DIGITS = ALPHABET[:10]
LETTERS = ALPHABET[10:]
