"""/openreferral/v1/: the routes the Open Referral UK API names."""

from django.urls import path

from matchmaking.openreferral import views

app_name = "openreferral"

urlpatterns = [
    path("", views.FeedRoot.as_view(), name="root"),
    path("services", views.ServiceList.as_view(), name="service-list"),
    path("services/<str:service_id>", views.ServiceDetail.as_view(), name="service-detail"),
    path("taxonomies", views.TaxonomyList.as_view(), name="taxonomy-list"),
    path("taxonomies/<str:taxonomy_id>", views.TaxonomyDetail.as_view(), name="taxonomy-detail"),
    path("taxonomy_terms", views.TaxonomyTermList.as_view(), name="taxonomy-term-list"),
    path(
        "taxonomy_terms/<str:term_id>",
        views.TaxonomyTermDetail.as_view(),
        name="taxonomy-term-detail",
    ),
    path("vocabularies", views.VocabularyList.as_view(), name="vocabulary-list"),
]
