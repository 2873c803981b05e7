"""The API's root (where the schema and its documentation are) and its JSON 404."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


@extend_schema(exclude=True)
class ApiRootView(APIView):
    """Where the schema and its documentation are."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            {
                "schema": reverse("api:schema", request=request),
                "docs": reverse("api:docs", request=request),
            }
        )


@csrf_exempt  # it changes nothing, and a POST must get this 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """A JSON 404 for any path under /api/v1/ that no endpoint serves."""
    return JsonResponse({"detail": "Not found."}, status=404)
