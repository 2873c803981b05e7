"""The names of the categories the migrations seed (services.0002), for translation.

A category's name is data; pages and forms show it through gettext, so the seeded ones
read in Welsh too and any a council adds show as typed.
"""

from django.utils.translation import gettext_noop

SEEDED_CATEGORY_NAMES = [
    gettext_noop("A hot meal"),
    gettext_noop("Personal care"),
    gettext_noop("Companionship"),
    gettext_noop("Shopping and errands"),
    gettext_noop("A lift"),
    gettext_noop("Peer support"),
]
