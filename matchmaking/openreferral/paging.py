"""Paging as the Open Referral API describes it: `page` (from 1) and `per_page` in, a Page
object (total_items, total_pages, page_number, size, first_page, last_page, empty) around
`contents` out."""

from math import ceil

from rest_framework.exceptions import ValidationError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Far beyond any council's programmes, small enough that page * per_page stays an ordinary int.
MAX_PAGE = 10_000


def _whole_number(request, name, *, default, maximum):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise ValidationError({name: [f"Enter a whole number from 1 to {maximum}."]})
    return number


def requested_page(request):
    """(page, per_page) from the query, or a 400 naming the parameter that is wrong."""
    for name, values in request.query_params.lists():
        for value in [name, *values]:
            if "\x00" in value:
                raise ValidationError({name: ["Remove the NUL character (\\u0000)."]})
    page = _whole_number(request, "page", default=1, maximum=MAX_PAGE)
    per_page = _whole_number(request, "per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    return page, per_page


def page_of(records, *, page, per_page):
    """One page of `records` (a list) in the standard's envelope. A page past the end is
    empty, not an error: a harvester stops when `last_page` is true."""
    total_items = len(records)
    total_pages = max(1, ceil(total_items / per_page))
    contents = records[(page - 1) * per_page : page * per_page]
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
