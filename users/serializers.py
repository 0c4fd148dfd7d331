from collections.abc import Mapping

from django.contrib.auth import password_validation
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from blogapi.fields import StrictCharField
from blogapi.serializers import StrictModelSerializer

from . import services
from .models import User


def password_field(field_class: type[StrictCharField] = StrictCharField, **kwargs) -> StrictCharField:
    # Taken verbatim, as Django's own forms do: surrounding spaces are part of a password.
    return field_class(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


def _minimum_password_length() -> int:
    lengths = [getattr(v, "min_length", 1) for v in password_validation.get_default_password_validators()]
    return max(lengths, default=1)


@extend_schema_field(
    {
        "type": "string",
        "minLength": _minimum_password_length(),
        "maxLength": 128,
        "pattern": r"^[^\x00]*[^\x00\d][^\x00]*$",  # no NUL, not all digits
        "description": "Checked by the password validators: long enough, not entirely numeric, "
        "not too common, not too similar to the username or e-mail.",
    }
)
class NewPasswordField(StrictCharField):
    """A password being chosen: the schema states what JSON Schema can (length, not all
    digits); RegisterSerializer.validate_password runs Django's validators for the rest."""


# The base of the serializers that write a username (registration, /me); a comment, not a
# docstring, which drf-spectacular would show as RegisterSerializer's description.
class UsernameWriteSerializer(StrictModelSerializer):
    def to_internal_value(self, data):
        # A username is stored NFKC-normalized (as create_user does): normalized before it is
        # validated, so the pattern and uniqueness checks judge what is stored ("\u0140" is "l\u00b7").
        if isinstance(data, Mapping) and isinstance(data.get("username"), str):
            data = {**data, "username": User.normalize_username(data["username"])}
        return super().to_internal_value(data)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username", "role")
        read_only_fields = fields


# A username is not trimmed: " alice" fails the username pattern (400) instead of being
# quietly turned into "alice", so the schema's pattern says what is accepted.
USERNAME_AS_SENT = {"username": {"trim_whitespace": False}}


class MeSerializer(UsernameWriteSerializer):
    """The caller's own profile: username and e-mail are editable, nothing else."""

    class Meta:
        model = User
        fields = ("id", "username", "role", "email")
        read_only_fields = ("id", "role")
        extra_kwargs = USERNAME_AS_SENT


class RegisterSerializer(UsernameWriteSerializer):
    password = password_field(NewPasswordField)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    role = serializers.ChoiceField(
        choices=User.Role.choices, required=False, help_text="Only an admin may choose it; anyone else's is ignored."
    )

    class Meta:
        model = User
        fields = ("id", "username", "password", "email", "role")
        read_only_fields = ("id",)
        extra_kwargs = USERNAME_AS_SENT

    def to_internal_value(self, data):
        # A role the caller may not choose is ignored by user_register, so not validated either.
        caller = getattr(self.context.get("request"), "user", None)
        if isinstance(data, Mapping) and "role" in data and not services.user_may_choose_role(caller):
            data = {name: value for name, value in data.items() if name != "role"}
        return super().to_internal_value(data)

    def validate_password(self, value: str) -> str:
        # Checked against the username and e-mail as sent, so one answer reports every field's problems.
        data = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        candidate = User(**{name: data[name] for name in ("username", "email") if isinstance(data.get(name), str)})
        password_validation.validate_password(value, candidate)
        return value


class LoginSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = password_field()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    @staticmethod
    def for_user(user: User) -> dict[str, str]:
        refresh = RefreshToken.for_user(user)
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, with rotation, made safe for two cases it gets wrong:
    a token of a deleted user (simplejwt answers 500: here 401), and two concurrent
    refreshes of one token (both would succeed: the token's row is locked, so the
    second sees the first one's blacklisting and fails)."""

    refresh = serializers.CharField(max_length=2048)
    access = serializers.CharField(read_only=True)

    def validate(self, attrs: dict) -> dict:
        jti = RefreshToken(attrs["refresh"], verify=False).get(jwt_settings.JTI_CLAIM)
        with transaction.atomic():
            list(OutstandingToken.objects.select_for_update().filter(jti=jti).values_list("id", flat=True))
            try:
                return super().validate(attrs)
            except User.DoesNotExist as exc:
                raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account") from exc


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048, write_only=True)
