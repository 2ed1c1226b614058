"""Project signals: what a spider tells the components around it (sent with ``crawler.signals.send_catch_log``).

The spider only reports what it saw; the components that act on it listen (crawler/monitor/absence.py keeps
the listings' articles, crawler/fetch/browser_memory.py remembers a site that needs a browser).
"""

# A page worth keeping for a developer if a monitor fails: (response=..., reason=...)
suspicious_page = object()

# A listing page read, with the article URLs it shows: (url=..., articles=[...])
listing_read = object()

# A listing that cannot vouch for the site's list of articles this run (failed, blocked, answered 304 Not
# Modified, unreadable, or without article links): (url=..., reason=...). Then no article is judged removed
# by its absence from the listings.
listing_trouble = object()

# A site whose listings showed article links only once rendered by a browser: (site=..., url=...)
listings_need_browser = object()
