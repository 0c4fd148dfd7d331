"""The ModelSerializer base of every app's writable serializers."""

from django.db import models
from rest_framework import serializers

from .fields import SentLengthCharField


# A ModelSerializer whose generated text fields take a JSON string only, its length counted
# as sent (SentLengthCharField). A comment, not a docstring: drf-spectacular describes a
# serializer that has no docstring of its own by its nearest base's.
class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: SentLengthCharField,
        models.TextField: SentLengthCharField,
    }
