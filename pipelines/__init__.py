"""Item pipelines, one per module, in the order they run (see ``crawler.settings.ITEM_PIPELINES``)."""
