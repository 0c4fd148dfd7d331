from django.db import models
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from blogapi.fields import StrictCharField

from .models import Post


class SentLengthCharField(StrictCharField):
    """`max_length` counts the string as sent, surrounding whitespace included, as the
    schema's maxLength does: DRF would count it after trimming, accepting a string the
    schema calls too long."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class PostSerializer(serializers.ModelSerializer):
    """v1: the tutorial's shape."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: SentLengthCharField,
        models.TextField: SentLengthCharField,
    }

    title = SentLengthCharField(min_length=1, max_length=200)
    category = SentLengthCharField(max_length=50, required=False, default="general")

    class Meta:
        model = Post
        fields = ("id", "title", "content", "category", "created_at", "user_id")
        read_only_fields = ("id", "created_at", "user_id")


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


@extend_schema_serializer(component_name="Post")  # each version's schema has one Post
class PostV2Serializer(PostSerializer):
    """v2: nested author, moderation status and last edit."""

    author = AuthorSerializer(source="user", read_only=True)

    class Meta(PostSerializer.Meta):
        fields = ("id", "title", "content", "category", "status", "author", "created_at", "updated_at")
        read_only_fields = ("id", "status", "created_at", "updated_at")


class DeletedCountSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()
