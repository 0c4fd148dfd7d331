"""Serializer fields shared by the apps: text that is text, counted as sent."""

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else. DRF's CharField turns 5 or 1.5 into "5"/"1.5":
    a client that sends a number where text belongs made a mistake it should hear about."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SentLengthCharField(StrictCharField):
    """`max_length` counts the string as sent, surrounding whitespace included, as the
    schema's maxLength does: DRF would count it after trimming, accepting a string the
    schema calls too long."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class SentLengthModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated text fields are SentLengthCharFields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: SentLengthCharField,
        models.TextField: SentLengthCharField,
    }
