"""Page-number pagination for list endpoints whose items are serialised by the view itself.

`paginate_prepared` is ninja's `@paginate(PageNumberPagination)` — the same `page` / `page_size` query
parameters, the same `{"items": [...], "count": N}` document, the same OpenAPI (it contributes ninja's own
pagination input and paginated response schema) — for views that return a `PreparedPage`: a way to get the
total (which may come from somewhere cheaper than COUNT(*)) and a way to get one slice of items as
JSON-ready dicts in the response schema's field order. The response is rendered by the API's renderer
directly, skipping ninja's response validation through DjangoGetter (most of the cost of a list page:
W2); the view validates its items itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.pagination import PageNumberPagination, make_response_paginated
from ninja.utils import contribute_operation_args, contribute_operation_callback


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
