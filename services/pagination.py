"""Pages of a person's own list, counted only when there is more than one page."""

from django.core.paginator import Paginator


class ListPaginator(Paginator):
    """A Paginator that skips the COUNT query when the first page holds everything.

    Most people's lists here are short. Fetching one row more than fits on the first page
    tells whether there is a second; when there is not, what came back is the count.
    """

    def get_page(self, number):
        if number in (None, "", "1", 1):
            fits = self.per_page + self.orphans
            head = list(self.object_list[: fits + 1])
            if len(head) <= fits:
                self.object_list = head
                self.__dict__["count"] = len(head)  # Paginator.count is a cached_property
                return self.page(1)
            return self._get_page(head[: self.per_page], 1, self)
        return super().get_page(number)
