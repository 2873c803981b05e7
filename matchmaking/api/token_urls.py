"""The account page for API tokens (included under /accounts/ by matchmaking.urls)."""

from django.urls import path

from matchmaking.api.tokens import api_token

urlpatterns = [path("", api_token, name="api_token")]
