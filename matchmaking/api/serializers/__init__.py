"""Serializers for the REST API: they parse and check input, and shape output per reader.

Write serializers only validate; the views pass what they return to the same write
functions the web calls (services.needs, services.offers, accounts.providers,
matchmaking.lifecycle, trust, safeguarding). The messages match the web forms'.
A write serializer refuses fields it does not know, naming them.

A provider sees a need's category, timing, distance and the resident's first name; the
resident's full name, address and phone number only while the match is active
(Match.shares_contact_details), and the same holds for the provider's contact details.
"""
