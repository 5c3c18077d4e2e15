"""The corpus of how residents speak: a test home and what they say to it (see README.md)."""
