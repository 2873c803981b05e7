from django.urls import register_converter


class NeedReferenceConverter:
    """A need's reference in a URL: letters, digits and hyphens (KTH-7QX4PD).

    Anything else, a NUL character included, is a 404 before any query runs: PostgreSQL
    refuses to compare text holding a NUL and would answer the lookup with an error.
    """

    regex = "[A-Za-z0-9-]{1,20}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered here, once, so every URLconf that imports this module can use <ref:…>.
register_converter(NeedReferenceConverter, "ref")
