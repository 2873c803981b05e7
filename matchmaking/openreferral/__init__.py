"""The public Open Referral UK feed (HSDS 3.0, UK profile) of the help the council offers
through Kith: read-only, no authentication, open to any origin, and never personal data.

`feed.py` builds the records from programmes, areas and categories; `paging.py` reads the
standard's `page`/`per_page` and wraps a page; `views.py` serves them under /openreferral/v1/.
The standard's JSON schemas the tests validate against are vendored in `schemas/`.
"""
