"""spaCy, loaded lazily: tokenizers, token boundaries, DocBin reading and writing, training config."""
