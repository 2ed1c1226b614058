"""The test harness (like web_poet.testing, but outside the product): gold pages and their scoring, the synthetic
mirror, the fixture contract, a local redis-server, fault injection. Tests and benches import it; the product never
does (tests/test_structure.py)."""
