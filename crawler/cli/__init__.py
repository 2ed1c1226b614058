"""The commands of ``python -m crawler``, by what they work on (crawler/__main__.py assembles them)."""
