from django import template

from matchmaking.why_asked import why_asked as _why_asked

register = template.Library()


@register.simple_tag
def why_asked(match):
    """`{% why_asked match as sentence %}`: matchmaking.why_asked.why_asked."""
    return _why_asked(match)
