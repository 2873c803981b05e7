"""A programme's scoring weights go live only once a commissioner has seen what they change.

New weights are saved as a draft (`Programme.draft_weights`), which the engine never reads;
`weights_compare` ranks a sample of the programme's recent requests with the live weights
and with the draft, side by side; `programme_weights_publish` makes the draft live. Each
change is audited with who made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db import transaction

from accounts.exceptions import TransitionError
from matchmaking import candidates, scoping, scoring
from services.models import Need, Programme

SAMPLE_SIZE = 10
TOP = 5


def _checked(weights: dict) -> dict:
    """Every component, as floats, by the engine's rule; TransitionError with its message."""
    unknown = set(weights) - set(scoring.COMPONENTS)
    if unknown:
        raise TransitionError(f"Unknown scoring weight {sorted(unknown)[0]!r}.")
    values = {**scoring.DEFAULT_WEIGHTS.as_dict(), **weights}
    try:
        values = {name: float(value) for name, value in values.items()}
        scoring.validate_weights(scoring.Weights(**values))
    except (TypeError, ValueError) as error:
        raise TransitionError(str(error)) from None
    return values


def live_weights(programme: Programme) -> dict:
    return scoring.DEFAULT_WEIGHTS.as_dict() | (programme.weights or {})


def draft_weights(programme: Programme) -> scoring.Weights | None:
    if programme.draft_weights is None:
        return None
    return scoring.Weights(**_checked(programme.draft_weights))


def _audit(programme, actor, change, before, after):
    LogEntry.objects.log_create(
        programme,
        action=LogEntry.Action.UPDATE,
        changes={change: [before, after]},
        actor=actor,
    )


def _lock(programme):
    # A draft saved while another commissioner publishes must not vanish unseen.
    return Programme.objects.select_for_update().get(pk=programme.pk)


def programme_weights_draft(*, programme: Programme, weights: dict, actor) -> Programme:
    """Save `weights` as the programme's draft; the live weights do not change. Weights equal
    to the live ones clear the draft (nothing to try)."""
    values = _checked(weights)
    with transaction.atomic():
        locked = _lock(programme)
        before = locked.draft_weights
        locked.draft_weights = None if values == live_weights(locked) else values
        if locked.draft_weights != before:
            locked.save(update_fields=["draft_weights"])
            _audit(locked, actor, "draft_weights", before, locked.draft_weights)
    programme.draft_weights = locked.draft_weights
    return locked


def programme_weights_publish(*, programme: Programme, actor, seen_draft=None) -> Programme:
    """Make the draft the live weights (stored empty when they are the engine's defaults, so
    the programme follows the defaults if they are retuned).

    `seen_draft` is the draft the commissioner compared: if someone has saved another since,
    nothing is published, so no weights go live unseen.
    """
    with transaction.atomic():
        locked = _lock(programme)
        if locked.draft_weights is None:
            raise TransitionError("There is no draft to publish: save new weights first.")
        if seen_draft is not None and locked.draft_weights != seen_draft:
            raise TransitionError(
                "The draft has changed since the page was shown: compare the new draft "
                "before you publish it."
            )
        values = _checked(locked.draft_weights)
        before = locked.weights
        locked.weights = {} if values == scoring.DEFAULT_WEIGHTS.as_dict() else values
        locked.draft_weights = None
        locked.save(update_fields=["weights", "draft_weights"])
        _audit(locked, actor, "weights", before, locked.weights)
    programme.weights, programme.draft_weights = locked.weights, None
    return locked


def programme_weights_discard(*, programme: Programme, actor) -> Programme:
    """Drop the draft; the live weights stay as they are."""
    with transaction.atomic():
        locked = _lock(programme)
        if locked.draft_weights is None:
            raise TransitionError("There is no draft to discard.")
        before = locked.draft_weights
        locked.draft_weights = None
        locked.save(update_fields=["draft_weights"])
        _audit(locked, actor, "draft_weights", before, None)
    programme.draft_weights = None
    return locked


# --- the side-by-side preview ---------------------------------------------------------------


def recent_needs(programme: Programme, user, limit: int = SAMPLE_SIZE):
    """The programme's latest requests in the user's areas, whatever became of them."""
    needs = scoping.needs_for_staff(user, Need.objects.filter(programme=programme))
    return list(
        needs.select_related("category", "programme", "area").order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class Comparison:
    """One request ranked both ways: provider ids best first (up to TOP each)."""

    need: Need
    live: list[scoring.Scored]
    draft: list[scoring.Scored]
    candidates: int

    @property
    def first_choice_changes(self) -> bool:
        first = [ranked[0].provider_id if ranked else None for ranked in (self.live, self.draft)]
        return first[0] != first[1]

    @property
    def places_changed(self) -> int:
        """How many providers in either top list are at another place (or not there) in the
        other."""
        live = [s.provider_id for s in self.live]
        draft = [s.provider_id for s in self.draft]
        return sum(
            1
            for provider in set(live) | set(draft)
            if (live.index(provider) if provider in live else None)
            != (draft.index(provider) if provider in draft else None)
        )


def weights_compare(
    needs, live: scoring.Weights, draft: scoring.Weights, top: int = TOP
) -> list[Comparison]:
    """Rank each need with both sets of weights through the pure engine (the candidates are
    looked up once per need)."""
    comparisons = []
    for need in needs:
        facts = candidates.need_facts(need)
        found = candidates.candidate_facts(need)
        with_live = scoring.rank(facts, found, live)
        with_draft = scoring.rank(facts, found, draft)
        comparisons.append(
            Comparison(
                need=need,
                live=list(with_live.ranked[:top]),
                draft=list(with_draft.ranked[:top]),
                candidates=len(with_live.ranked),
            )
        )
    return comparisons
