"""Cleaning an extracted article: blocks, boilerplate, bylines, captions, rendering."""
