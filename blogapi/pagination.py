"""Pagination for every list: page numbers or cursors (which version uses which:
blogapi.versioning), page size capped."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class CappedPageSizeMixin:
    """`?page_size=` up to the maximum (larger asks are capped); anything that is not a
    positive whole number is a 400, where DRF would silently fall back to the default."""

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty, like every optional query parameter
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["A positive whole number is required."]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page: 1 or more, capped at {self.max_page_size}."
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class NumberedPage(CappedPageSizeMixin, PageNumberPagination):
    pass


class CursorPage(CappedPageSizeMixin, CursorPagination):
    # A cursor is opaque but client-supplied: a hand-made one whose position is no value
    # of the ordering field (or holds a NUL byte PostgreSQL refuses) is an invalid cursor,
    # answered like DRF answers an undecodable one, not a 500.

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except DjangoValidationError as exc:  # the position did not convert, e.g. not a timestamp
            raise NotFound(self.invalid_cursor_message) from exc

    def get_ordering(self, request, queryset, view):
        # Pages follow the queryset's own order, declared once per resource (posts and to-dos:
        # their model's Meta.ordering; users: users_listed()); the view's ordering filter
        # (v2 posts' `?ordering=`) may choose another. DRF replaces `self.ordering` with this
        # method's answer on every page anyway.
        self.ordering = queryset.query.order_by or queryset.model._meta.ordering
        return super().get_ordering(request, queryset, view)
