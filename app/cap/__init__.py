"""CAP 1.2, both ways: everything Tocsin does with the OASIS Common Alerting Protocol lives here.

- `export.py`  — our alerts as CAP documents and each station's Atom feed of them (read + written)
- `parse.py`   — reading CAP documents from other systems, safely, against the OASIS schema
- `imports.py` — the import service: store an uploaded or fed document, list, accept (rebroadcast
                 through the station as an ordinary alert) or reject it
- `feeds.py`   — polling the feeds of TOCSIN_CAP_FEEDS (the beat's `cap.poll_feeds` task, a one-liner
                 in workers/tasks.py, calls it)

Elsewhere, by the project's rules: the SQL in app/db/cap.py, the HTTP routes in app/routes/cap.py.
See docs/cap.md.
"""
