"""Matchmaking's web pages, one module per group of pages; URLs in match_urls.py and urls.py."""
