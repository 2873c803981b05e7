import pytest

from services.models import Category
from services.pagination import ListPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    return Category.objects.order_by("position", "name")


def test_a_list_that_fits_on_one_page_is_counted_without_a_count_query(
    categories, django_assert_num_queries
):
    expected = list(categories)
    with django_assert_num_queries(1):
        page = ListPaginator(categories.all(), len(expected) + 5).get_page(None)
        assert page.paginator.count == len(expected)
        assert list(page.object_list) == expected
        assert not page.has_other_pages()


@pytest.mark.parametrize("number", [None, "", "1", 1, "abc", "0", "99"])
def test_a_longer_list_still_says_how_many_pages_there_are(categories, number):
    total = categories.count()
    page = ListPaginator(categories, 2).get_page(number)
    # Past either end is the last page, as with Django's own Paginator.
    expected_number = (total + 1) // 2 if number in ("0", "99") else 1
    assert page.number == expected_number
    assert page.paginator.count == total
    assert page.paginator.num_pages == (total + 1) // 2
    start = (expected_number - 1) * 2
    assert list(page.object_list) == list(categories)[start : start + 2]


def test_orphans_join_the_first_page(categories):
    total = categories.count()
    page = ListPaginator(categories, total - 1, orphans=1).get_page("1")
    assert page.paginator.num_pages == 1
    assert len(page.object_list) == total


def test_later_pages_are_paginated_as_usual(categories):
    total = categories.count()
    page = ListPaginator(categories, 2).get_page("2")
    assert page.number == 2
    assert list(page.object_list) == list(categories)[2:4]
    assert page.paginator.count == total
