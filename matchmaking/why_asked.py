"""'Why you were asked': the engine's reasons for offering a request, told to the provider.

Read from the match's stored explanation, in words: the kind of help, how far away, and
whether they are free at the times asked for. Never a score, a weight or a component's
value: those compare the provider with other people, who are none of their business.
"""

from django.utils.translation import gettext

# A fit this close to 1 is every minute asked for (the share is a ratio of whole minutes).
_WHOLE = 1 - 1e-9


def why_asked(match) -> str:
    """One plain sentence for the provider of `match` (its need and category are read)."""
    explanation = match.explanation or {}
    category = match.need.category.name.lower()
    distance = explanation.get("distance_km")
    fit = explanation.get("components", {}).get("availability", {}).get("value")
    values = {"category": category}
    if distance is not None:
        values["distance"] = f"{distance:.1f}"
    if fit is None:
        if distance is None:
            return gettext("We asked you because you offered to help with %(category)s.") % values
        return (
            gettext(
                "We asked you because you offered to help with %(category)s "
                "and live about %(distance)s km away."
            )
            % values
        )
    if fit >= _WHOLE:
        if distance is None:
            return (
                gettext(
                    "We asked you because you offered to help with %(category)s "
                    "and are free at all the times asked for."
                )
                % values
            )
        return (
            gettext(
                "We asked you because you offered to help with %(category)s, live about "
                "%(distance)s km away and are free at all the times asked for."
            )
            % values
        )
    if distance is None:
        return (
            gettext(
                "We asked you because you offered to help with %(category)s "
                "and are free for some of the times asked for."
            )
            % values
        )
    return (
        gettext(
            "We asked you because you offered to help with %(category)s, live about "
            "%(distance)s km away and are free for some of the times asked for."
        )
        % values
    )
