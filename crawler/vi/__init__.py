"""The Vietnamese language layer: text normalization, dates, encodings, topic lexicon."""
