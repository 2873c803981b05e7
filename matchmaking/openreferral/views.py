"""The Open Referral UK API, read-only and public.

Anyone may read it (no authentication; any origin, for directory sites' browsers) and it
says only what the council publishes anyway. Anonymous callers are still rate limited
per IP address by the project's default throttles. Errors are the project's JSON errors
({"detail", "errors"}): the standard defines no error body of its own.
"""

from django.conf import settings
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from matchmaking.openreferral import feed
from matchmaking.openreferral.paging import page_of, requested_page


class OpenReferralView(APIView):
    # The project's API denies by default; this feed is public on purpose.
    permission_classes = [AllowAny]
    authentication_classes = []
    # Not part of /api/v1/'s OpenAPI document: the Open Referral UK standard is its schema.
    schema = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def paged(self, request, records_source):
        page, per_page = requested_page(request)
        return Response(page_of(records_source(), page=page, per_page=per_page))


class FeedRoot(OpenReferralView):
    def get(self, request):
        return Response(
            {
                "version": feed.HSDS_VERSION,
                "profile": feed.PROFILE_URL,
                "openapi_url": feed.OPENAPI_URL,
                "description": f"The help {feed.organization()['name']} offers through "
                f"{settings.SERVICE_NAME}.",
                "publisher": {
                    "name": feed.organization()["name"],
                    "email": feed.organization()["email"],
                    "website": feed.organization()["website"],
                },
            }
        )


class ServiceList(OpenReferralView):
    def get(self, request):
        return self.paged(
            request,
            lambda: [feed.service_summary(p) for p in feed.published_programmes()],
        )


class ServiceDetail(OpenReferralView):
    def get(self, request, service_id):
        programme = feed.find_service(service_id)
        if programme is None:
            raise NotFound("No service has this id.")
        return Response(feed.service_record(programme))


class TaxonomyList(OpenReferralView):
    def get(self, request):
        return self.paged(request, lambda: [feed.taxonomy(with_terms=True)])


class VocabularyList(OpenReferralView):
    """The Open Referral UK API 1.0 name for the taxonomies a feed uses."""

    def get(self, request):
        return self.paged(request, lambda: [feed.taxonomy()])


class TaxonomyDetail(OpenReferralView):
    def get(self, request, taxonomy_id):
        if taxonomy_id != feed.taxonomy()["id"]:
            raise NotFound("No taxonomy has this id.")
        return Response(feed.taxonomy(with_terms=True))


class TaxonomyTermList(OpenReferralView):
    def get(self, request):
        return self.paged(request, lambda: [feed.taxonomy_term(c) for c in feed.categories()])


class TaxonomyTermDetail(OpenReferralView):
    def get(self, request, term_id):
        for category in feed.categories():
            if feed.feed_id("taxonomy_term", category.slug) == term_id:
                return Response(feed.taxonomy_term(category))
        raise NotFound("No taxonomy term has this id.")
