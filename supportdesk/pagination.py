"""Page-number pagination for list endpoints whose items are serialised by the view itself.

`paginate_prepared` is ninja's `@paginate(PageNumberPagination)` — the same `page` / `page_size` query
parameters, the same `{"items": [...], "count": N}` document, the same OpenAPI (it contributes ninja's own
pagination input and paginated response schema) — for views that return a `PreparedPage`: a way to get the
total (which may come from somewhere cheaper than COUNT(*)) and a way to get one slice of items as
JSON-ready dicts in the response schema's field order. The response is rendered by the API's renderer
directly, skipping ninja's response validation through DjangoGetter (most of the cost of a list page:
W2); the view validates its items itself.

`PageNumberPagination` is ninja's with both numbers bounded and the bounds declared in the OpenAPI document: `page`
1 to MAX_PAGE, `page_size` 1 to MAX_PAGE_SIZE. Outside them the answer is 422 naming the parameter; ninja would cut
a larger `page_size` down to its maximum without a word, and then `page=2` started at the 101st item, not the one
the client counted on (its `page_size` × 1), so pages were skipped unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination
from ninja.pagination import make_response_paginated
from ninja.utils import contribute_operation_args, contribute_operation_callback

# The largest page number (nine digits: web.middleware.MAX_PAGE_DIGITS answers a longer one before any view) and
# page size (every list's; each list has its own default, at most this).
MAX_PAGE = 999_999_999
MAX_PAGE_SIZE = 100


class PageNumberPagination(NinjaPageNumberPagination):
    """`@paginate(PageNumberPagination, page_size=N)` for every API list: `page` and `page_size` bounded (above)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"Page number, 1 to {MAX_PAGE}")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE,
                                      description=f"Items a page, 1 to {MAX_PAGE_SIZE} (default: the list's own)")

    def __init__(self, *, page_size: int = MAX_PAGE_SIZE, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)


@dataclass(frozen=True)
class PreparedPage:
    """What a `paginate_prepared` view returns."""

    count: Callable[[], int]
    items: Callable[[int, int], list[dict[str, Any]]]  # (offset, limit) -> serialised items


def paginate_prepared(page_size: int) -> Callable[[Callable[..., PreparedPage]], Callable[..., HttpResponse]]:
    paginator = PageNumberPagination(page_size=page_size)

    def decorate(func: Callable[..., PreparedPage]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            pagination = kwargs.pop("ninja_pagination", None) or paginator.Input()  # type: ignore[call-arg]
            page = func(request, **kwargs)
            size = paginator._get_page_size(pagination.page_size)
            items = page.items((pagination.page - 1) * size, size)
            data = {paginator.items_attribute: items, "count": page.count()}
            from supportdesk.api import api  # the one API; rendered by its renderer, as ninja would

            return api.create_response(request, data, status=200)

        contribute_operation_args(view, "ninja_pagination", paginator.Input, paginator.InputSource)
        contribute_operation_callback(view, partial(make_response_paginated, paginator))
        view._ninja_is_paginated = True  # type: ignore[attr-defined]
        return view

    return decorate
