from drf_spectacular.utils import extend_schema_serializer

from blogapi.fields import SentLengthCharField, StrictBooleanField
from blogapi.serializers import StrictModelSerializer

from .models import Todo


class TodoSerializer(StrictModelSerializer):
    """v1: the tutorial's shape."""

    title = SentLengthCharField(min_length=1, max_length=200)
    completed = StrictBooleanField(required=False)

    class Meta:
        model = Todo
        fields = ("id", "title", "completed", "created_at")
        read_only_fields = ("id", "created_at")


@extend_schema_serializer(component_name="Todo")  # each version's schema has one Todo
class TodoV2Serializer(TodoSerializer):
    """v2: description, due date, priority and last edit."""

    description = SentLengthCharField(required=False, allow_blank=True, max_length=10_000)

    class Meta(TodoSerializer.Meta):
        fields = ("id", "title", "completed", "description", "due_date", "priority", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")
