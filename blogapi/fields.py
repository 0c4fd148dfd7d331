"""Serializer fields shared by the apps: text that is text, counted as sent, and booleans
that are booleans."""

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
    schema calls too long. (Untrimmed, DRF's own check counts the same, and reports
    along with the field's other validators.)"""

    def to_internal_value(self, data):
        too_long = isinstance(data, str) and self.max_length is not None and len(data) > self.max_length
        if too_long and self.trim_whitespace:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false and nothing else: DRF's BooleanField would quietly read 0, "no"
    or "off" as false, where the client most likely sent something it did not mean."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
