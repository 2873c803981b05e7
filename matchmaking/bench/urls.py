"""The site with the baseline pages, for measuring in this process (whatever BENCH_VIEWS is)."""

from matchmaking.bench.pages import PATTERNS
from matchmaking.urls import urlpatterns as site

urlpatterns = [*site, *PATTERNS]
