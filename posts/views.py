from django.conf import settings
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from blogapi.caching import cache_page, column, row
from blogapi.permissions import IsApiAdmin, IsOwnerOrAdminOrReadOnly
from blogapi.routing import CANONICAL_ID
from blogapi.versioning import Version, VersionedViewSetMixin
from users.models import User

from . import selectors, services
from .filters import PostFilter, PostV2Filter, StrictOrderingFilter
from .models import Post
from .serializers import DeletedCountSerializer, PostSerializer, PostV2Serializer

# v2 posts embed their author's username.
AUTHOR_NAMES = column(User, "username")


@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[Post, AUTHOR_NAMES]), name="list")
@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[row(Post), AUTHOR_NAMES]), name="retrieve")
class PostViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Published posts. Anyone reads; authors and admins edit; v2 filters, searches and orders."""

    lookup_value_regex = CANONICAL_ID
    permission_classes = [IsAuthenticatedOrReadOnly, IsOwnerOrAdminOrReadOnly]
    versions = {
        "v1": Version(PostSerializer, filter_backends=(DjangoFilterBackend,), filterset_class=PostFilter),
        "v2": Version(
            PostV2Serializer,
            filter_backends=(DjangoFilterBackend, filters.SearchFilter, StrictOrderingFilter),
            filterset_class=PostV2Filter,
        ),
    }
    search_fields = ("title", "content")  # v2's ?search=
    ordering_fields = ("created_at", "updated_at", "title")  # v2's ?ordering=

    def get_queryset(self):
        return selectors.posts_published()

    def get_serializer_class(self):
        if self.action == "delete_all":
            return DeletedCountSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer) -> None:
        serializer.instance = services.post_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.post_update(post=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance) -> None:
        services.post_delete(post=instance)

    @extend_schema(request=None, responses={200: DeletedCountSerializer})
    @action(detail=False, methods=["delete"], url_path="all", permission_classes=[IsApiAdmin])
    def delete_all(self, request, *args, **kwargs):
        """Delete every post (admins only)."""
        return Response({"deleted": services.posts_delete_all()})
