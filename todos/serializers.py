from django.db import models
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from blogapi.fields import StrictCharField

from .models import Todo


class SentLengthCharField(StrictCharField):
    """`max_length` counts the string as sent, surrounding whitespace included, as the
    schema's maxLength does: DRF would count it after trimming, accepting a string the
    schema calls too long."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false and nothing else: DRF's BooleanField would quietly read 0, "no"
    or "off" as false, where the client most likely sent something it did not mean."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class TodoSerializer(serializers.ModelSerializer):
    """v1: the tutorial's shape."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: SentLengthCharField,
        models.TextField: SentLengthCharField,
    }

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
