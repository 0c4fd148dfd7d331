from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from blogapi.fields import SentLengthCharField
from blogapi.serializers import StrictModelSerializer

from .models import Post


class PostSerializer(StrictModelSerializer):
    """v1: the tutorial's shape."""

    title = SentLengthCharField(min_length=1, max_length=200)
    category = SentLengthCharField(max_length=50, required=False, default="general")
    user_id = serializers.PrimaryKeyRelatedField(source="user", read_only=True)

    class Meta:
        model = Post
        fields = ("id", "title", "content", "category", "created_at", "user_id")
        read_only_fields = ("id", "created_at")


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
