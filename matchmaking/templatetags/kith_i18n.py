"""`{{ need.category.name|translated }}`: data the migrations seed (the kinds of help) in
the page's language, where it is in the catalogue (services.category_names); anything
else shows as stored."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value):
    return gettext(value) if value else value
