from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from blogapi.caching import cache_response
from blogapi.pagination import VersionedPaginationMixin

from . import cache_tags, selectors, services
from .filters import TodoV2Filter
from .serializers import TodoSerializer, TodoV2Serializer


def _own_todo_views(request, **kwargs) -> list[str]:
    return [cache_tags.todos_of(request.user.pk), cache_tags.EVERY_TODO]


@method_decorator(cache_response(depends_on=_own_todo_views, per_user=True), name="list")
@method_decorator(cache_response(depends_on=_own_todo_views, per_user=True), name="retrieve")
class TodoViewSet(
    VersionedPaginationMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own to-dos; another user's are 404 on every verb."""

    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated]
    ordering = ("-created_at", "-id")

    @property
    def filter_backends(self):
        return [DjangoFilterBackend] if self.is_v2 else []

    filterset_class = TodoV2Filter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return selectors.todos_of(user=None).none()
        return selectors.todos_of(user=self.request.user).order_by(*self.ordering)

    def get_serializer_class(self):
        return TodoV2Serializer if self.is_v2 else TodoSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.todo_create(owner=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.todo_update(todo=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance) -> None:
        services.todo_delete(todo=instance)
