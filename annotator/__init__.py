"""annotator: keyboard-first span annotation of news articles, exported as spaCy training data."""

__version__ = "0.1.0"
APP_NAME = "annotator"
ORG_NAME = "annotator"
