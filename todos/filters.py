import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from .models import Todo


class BooleanParamField(forms.NullBooleanField):
    """A query parameter's boolean: `true`/`false` (or `1`/`0`), exactly as the schema lists them; anything else is a
    400 instead of being ignored, which would answer an unfiltered list to a client that
    asked for a filtered one."""

    widget = forms.TextInput  # NullBooleanSelect would turn any unknown value into "no filter"
    TRUE, FALSE = ("true", "1"), ("false", "0")

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


@extend_schema_field({"type": "string", "enum": [*BooleanParamField.TRUE, *BooleanParamField.FALSE]})
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = BooleanParamField


class TodoV2Filter(django_filters.FilterSet):
    completed = StrictBooleanFilter()

    class Meta:
        model = Todo
        fields = ("completed",)
