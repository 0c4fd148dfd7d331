from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.vary import vary_on_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from blogapi.caching import CALLER, cache_page, row
from blogapi.permissions import IsApiAdmin
from blogapi.routing import CANONICAL_ID
from blogapi.versioning import VersionedViewSetMixin

from . import selectors, services
from .models import User
from .serializers import (
    LoginSerializer,
    LogoutSerializer,
    MeSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
)


def username_taken() -> ValidationError:
    """What the serializer's uniqueness check says, when a concurrent write got there first."""
    return ValidationError({"username": [User._meta.get_field("username").error_messages["unique"]]})


@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[User]), name="list")
@method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[row(User)]), name="retrieve")
class UserViewSet(
    VersionedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Registration, login, the public user list, the caller's profile, and admin deletion."""

    # Users read alike in both versions but for pagination: no `versions` to declare.
    lookup_value_regex = CANONICAL_ID

    def get_queryset(self):
        return selectors.users_deletable() if self.action == "destroy" else selectors.users_listed()

    def get_serializer_class(self):
        return {"create": RegisterSerializer, "login": LoginSerializer, "me": MeSerializer}.get(
            self.action, UserSerializer
        )

    def get_permissions(self):
        # No action: the method is not offered here, and the answer is a 405 for anyone.
        if self.action in ("create", "login", "list", "retrieve", None):
            return [AllowAny()]
        if self.action == "destroy":
            return [IsApiAdmin()]
        return [IsAuthenticated()]

    def get_object(self):
        # /me has no id in its URL: its object is the caller (also for OPTIONS, which
        # describes the PUT form with it: DRF's action is then "metadata").
        if self.request.resolver_match.url_name == "user-me":
            return self.request.user
        return super().get_object()

    def get_authenticate_header(self, request) -> str:
        # The login action authenticates nobody, yet its bad credentials are a 401.
        return 'Bearer realm="api"'

    @extend_schema(responses={201: UserSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_register(**serializer.validated_data, registered_by=request.user)
        except services.UsernameTaken as exc:
            raise username_taken() from exc
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance) -> None:
        services.user_delete(user=instance)

    @extend_schema(request=LoginSerializer, responses={200: TokenPairSerializer})
    @action(detail=False, methods=["post"], authentication_classes=[])
    def login(self, request, *args, **kwargs):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_login(**serializer.validated_data, address=BaseThrottle().get_ident(request))
        except services.LoginThrottled as exc:
            raise Throttled(wait=exc.wait) from exc
        except services.InvalidCredentials as exc:
            raise AuthenticationFailed("No active account found with the given credentials.") from exc
        return Response(TokenPairSerializer.for_user(user))

    @extend_schema(methods=["PUT", "PATCH"], request=MeSerializer, responses={200: MeSerializer})
    @action(detail=False, methods=["get", "put", "patch"])
    @method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[row(User, CALLER)]))
    @method_decorator(vary_on_headers("Authorization"))
    def me(self, request, *args, **kwargs):
        if request.method == "GET":
            return Response(MeSerializer(request.user).data)
        serializer = MeSerializer(request.user, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_update_profile(user=request.user, **serializer.validated_data)
        except services.UsernameTaken as exc:
            raise username_taken() from exc
        return Response(MeSerializer(user).data)


class RefreshView(TokenRefreshView):
    """Rotates the refresh token; the old one is blacklisted."""

    serializer_class = RefreshSerializer


class LogoutView(GenericAPIView):
    """Blacklists the caller's refresh token."""

    serializer_class = LogoutSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: OpenApiResponse(description="The refresh token is blacklisted.")})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(request.user.pk):
            raise PermissionDenied("This refresh token belongs to another user.")
        token.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)
