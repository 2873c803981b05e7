"""`{% layout %}…{% endlayout %}`: a part of the page layout rendered once per process for
each language and kind of person, not on every request.

The header, navigation and footer are the same for everyone who reads the same language and
sees the same links (signed out; signed in; a provider; staff): some forty translations, URL
reversals and static-file lookups that cost about a millisecond on every page. A `layout`
part is rendered the first time with placeholders for the few things that do change per
request, then kept (on its node, so a reloaded template starts afresh) and filled in:

- `csrf_token` (the `{% csrf_token %}` of the sign-out and language forms),
- `layout_next_path` (where the language switch returns to: this page's path), and
- `nav_notifications_label` ("Notifications (3)": the person's own unread count).

Everything else a part shows must depend only on the language, the URL prefix and URLconf,
the settings, and whether the person is signed in, staff or a provider (`nav_is_provider`,
from matchmaking.context_processors.navigation): those make the key. A part may not contain
a `{% block %}`, which pages fill in. Any change of settings (tests) empties every part.
"""

import re

from django import template
from django.core.signals import setting_changed
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

HOLES = ("csrf_token", "layout_next_path", "nav_notifications_label")
_PLACEHOLDER = "\x00kith-layout-hole:{}\x00"
_SPLIT = re.compile("\x00kith-layout-hole:(\\w+)\x00")
# A bound on each part's entries, whatever the keys turn out to be (a handful in practice).
MAX_ENTRIES = 64

_generation = 0


def _settings_changed(**kwargs):
    global _generation
    _generation += 1


setting_changed.connect(_settings_changed, dispatch_uid="kith_layout_settings_changed")


class LayoutNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.parts = {}

    def render(self, context):
        request = context.get("request")
        csrf_token = context.get("csrf_token")
        if request is None or csrf_token in (None, "NOTPROVIDED") or not context.autoescape:
            # Not a page for someone (an error page's bare context): render as it stands.
            with context.push(layout_next_path=request.get_full_path() if request else ""):
                return self.nodelist.render(context)
        user = context.get("user")
        signed_in = bool(user is not None and user.is_authenticated)
        key = (
            _generation,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            signed_in,
            signed_in and bool(user.is_staff),
            bool(context.get("nav_is_provider")),
        )
        pieces = self.parts.get(key)
        if pieces is None:
            with context.push({name: _PLACEHOLDER.format(name) for name in HOLES}):
                pieces = _SPLIT.split(self.nodelist.render(context))
            if len(self.parts) >= MAX_ENTRIES:
                self.parts.clear()
            self.parts[key] = pieces
        if len(pieces) == 1:
            return mark_safe(pieces[0])
        values = {
            "csrf_token": csrf_token,
            "layout_next_path": request.get_full_path(),
            "nav_notifications_label": context.get("nav_notifications_label", ""),
        }
        # split() puts each placeholder's name at the odd places, the text around it at the even.
        return mark_safe(
            "".join(
                str(conditional_escape(values[piece])) if index % 2 else piece
                for index, piece in enumerate(pieces)
            )
        )


@register.tag
def layout(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% layout %} takes no arguments")
    nodelist = parser.parse(("endlayout",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% layout %} cannot contain a {% block %}: pages fill blocks in"
        )
    return LayoutNode(nodelist)
