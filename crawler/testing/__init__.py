"""Test harness that the tests and benches share (gold pages and their scoring); the crawler never imports it."""
