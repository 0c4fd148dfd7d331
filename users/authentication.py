"""simplejwt's bearer-token authentication, with the user a token names held in the near
cache under that user's row (blogapi.caching.held): a per-user cache hit needs no
database, and a deactivation, a deletion or a role change is seen by the next request
in every process, like any write to the row."""

from django.db import DEFAULT_DB_ALIAS
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings

from blogapi.caching import held, row

from .models import User

_FIELDS = [field.attname for field in User._meta.concrete_fields]


class JWTAuthenticationHeldUser(JWTAuthentication):
    def get_user(self, validated_token):
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None or api_settings.CHECK_REVOKE_TOKEN:
            # No id: simplejwt's own error. Revocation compares each token with the
            # password, so the outcome is per token, not per user: nothing to hold.
            return super().get_user(validated_token)
        lookup = super().get_user  # raises for an unknown or inactive user: such answers are never held

        def load() -> tuple:
            user = lookup(validated_token)
            return tuple(getattr(user, name) for name in _FIELDS)

        values = held(("auth-user", user_id), [row(User, lambda _: user_id)], load)
        # A fresh instance per request: views may change and save the caller.
        return User.from_db(DEFAULT_DB_ALIAS, _FIELDS, values)


class JWTAuthenticationHeldUserScheme(SimpleJWTScheme):
    """The OpenAPI bearer scheme (Swagger UI's Authorize) drf-spectacular gives simplejwt's
    class, for this subclass of it (registered by being defined)."""

    target_class = JWTAuthenticationHeldUser
