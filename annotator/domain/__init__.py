"""Pure domain objects and rules: no Qt, no SQLAlchemy, no spaCy."""
