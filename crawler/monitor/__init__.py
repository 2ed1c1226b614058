"""Knowing when a site breaks: verdicts, the crawl_runs extension, Spidermon monitors, health."""
