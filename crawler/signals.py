"""Project signals."""

# A page worth keeping for a developer if a monitor fails: send_catch_log(suspicious_page, response=..., reason=...)
suspicious_page = object()
