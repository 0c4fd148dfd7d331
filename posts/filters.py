import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from .models import Post


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number within PostgreSQL's bigint, else a 400 (never a 500)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=2**63 - 1, decimal_places=0, **kwargs)


class PostFilter(django_filters.FilterSet):
    """v1: the author filter of the tutorial."""

    user_id = IdFilter(field_name="user")

    class Meta:
        model = Post
        fields = ("user_id",)


@extend_schema_field({"type": "string", "maxLength": 50})
class CategoryFilter(django_filters.CharFilter):
    """A category is at most 50 characters: a longer one is a 400, not an empty page."""


class PostV2Filter(PostFilter):
    category = CategoryFilter(field_name="category", max_length=50)

    class Meta(PostFilter.Meta):
        fields = ("user_id", "category")


class StrictOrderingFilter(filters.OrderingFilter):
    """`?ordering=<field>` over the view's `ordering_fields`, `-` for descending; empty or
    absent: the model's own order (Meta.ordering). Exactly what the schema's enum lists: anything else (an
    unknown field, several fields, stray spaces) is a 400, where DRF would silently ignore it.

    The id is appended as a tie-breaker: cursor pagination needs a total order, or posts
    sharing a title or a timestamp could repeat or go missing between pages."""

    def get_ordering(self, request, queryset, view):
        term = request.query_params.get(self.ordering_param, "")
        if not term:
            return None  # the queryset keeps its model's order
        if term not in self._names(view):
            allowed = ", ".join(view.ordering_fields)
            raise ValidationError({self.ordering_param: [f"Unknown ordering field; choose from {allowed}."]})
        return (term, "-id" if term.startswith("-") else "id")

    @staticmethod
    def _names(view) -> list[str]:
        return [name for field in view.ordering_fields for name in (field, f"-{field}")]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = "Sort order (default: newest first)."
            parameter["schema"] = {"type": "string", "enum": self._names(view)}
        return parameters
