from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.vary import vary_on_headers
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from blogapi.caching import CALLER, cache_page, row, rows
from blogapi.routing import CANONICAL_ID
from blogapi.versioning import Version, VersionedViewSetMixin

from . import selectors, services
from .filters import TodoV2Filter
from .models import Todo
from .serializers import TodoSerializer, TodoV2Serializer


@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[rows(Todo, user=CALLER)]), name="list")
@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[row(Todo)]), name="retrieve")
@method_decorator(vary_on_headers("Authorization"), name="list")
@method_decorator(vary_on_headers("Authorization"), name="retrieve")
class TodoViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own to-dos; another user's are 404 on every verb."""

    lookup_value_regex = CANONICAL_ID
    permission_classes = [IsAuthenticated]
    versions = {
        "v1": Version(TodoSerializer),
        "v2": Version(TodoV2Serializer, filter_backends=(DjangoFilterBackend,), filterset_class=TodoV2Filter),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return selectors.todos_of(user=None).none()
        return selectors.todos_of(user=self.request.user)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.todo_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.todo_update(todo=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance) -> None:
        services.todo_delete(todo=instance)
