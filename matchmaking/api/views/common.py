"""Shared by every API view: parse input with a serializer, keep querysets to what
the user may see, refuse NUL characters."""

from matchmaking.api.parsers import check_text
from matchmaking.api.serializers.common import WriteSerializer


class NoBodySerializer(WriteSerializer):
    """Actions that take no input: any field sent is refused by name."""


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class CleanTextMixin:
    """Path and query values with a NUL character are a 400: PostgreSQL cannot compare
    text with one, and would answer the lookup with an error (a 500)."""

    def initial(self, request, *args, **kwargs):
        for value in [*kwargs.values(), *request.query_params.keys()]:
            check_text(str(value))
        for values in request.query_params.lists():
            for value in values[1]:
                check_text(value)
        super().initial(request, *args, **kwargs)


class OwnRowsMixin(CleanTextMixin):
    """get_queryset() = rows(user): only what this user may see. The schema generator
    has no user, so it gets an empty queryset of `model`."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.rows(self.request.user)
