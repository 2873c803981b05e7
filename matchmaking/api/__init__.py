"""The REST API under /api/v1/: thin DRF views over the same functions the web calls.

views.py (viewsets), permissions.py (deny by default), throttles.py (rates read from
settings per request), pagination.py, parsers.py (JSON with the upload size limit),
exceptions.py (every error as JSON), schema.py (OpenAPI tweaks), tokens.py (the account
page where people create and revoke their API token).
"""
