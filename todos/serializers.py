from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from blogapi.fields import SentLengthCharField, SentLengthModelSerializer

from .models import Todo


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false and nothing else: DRF's BooleanField would quietly read 0, "no"
    or "off" as false, where the client most likely sent something it did not mean."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class TodoSerializer(SentLengthModelSerializer):
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
