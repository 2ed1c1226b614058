"""Running nights: run-all, cron, the run lock, start-up errors, the offline demo."""
