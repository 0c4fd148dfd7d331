"""Serializer fields shared by the apps."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else. DRF's CharField turns 5 or 1.5 into "5"/"1.5":
    a client that sends a number where text belongs made a mistake it should hear about."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
