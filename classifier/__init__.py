"""Stage 3: the Keras models that read characters (36-class CNN) or whole plates (CRNN + CTC).

(Arrives with issues 5 and 6.)
"""
