"""The two baseline pages `bench web` loads next to real ones.

Served only when BENCH_VIEWS is on (KITH_BENCH_VIEWS=true, as bench web's gunicorn runs);
the in-process measurement reaches them through matchmaking.bench.urls instead.
"""

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

PATTERNS = [
    path("bench/bare/", TemplateView.as_view(template_name="pages/bench_bare.html")),
    # The layout with nothing in it, signed in: what every page costs before its content.
    path(
        "bench/signed-in/",
        login_required(TemplateView.as_view(template_name="pages/bench_signed_in.html")),
    ),
]
