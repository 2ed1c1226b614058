"""Fetching: the download handler, downloader middlewares, robots.txt, the browser, block pages, URLs."""
