"""What an API version means, decided in one place.

One set of viewsets answers under both URL namespaces (blogapi/urls.py), and DRF's
`NamespaceVersioning` sets `request.version`. `VersionedViewSetMixin` reads it in DRF's
own hooks, so a viewset only declares, per version, what it answers with:

- pagination, the same for every resource: v1 keeps the tutorial's page numbers, v2
  pages by cursor (stable under inserts);
- the serializer, the filter backends and the filter set: `versions` on the viewset.

Selectors and services below the views know nothing of versions.
"""

from dataclasses import dataclass

from rest_framework.settings import api_settings

from .pagination import CursorPage, NumberedPage

PAGINATION = {"v1": NumberedPage, "v2": CursorPage}


@dataclass(frozen=True)
class Version:
    """How a resource reads in one version. No serializer: the viewset's own
    (`serializer_class` or `get_serializer_class()`); no filter backends: no filtering."""

    serializer_class: type | None = None
    filter_backends: tuple[type, ...] = ()
    filterset_class: type | None = None


class VersionedViewSetMixin:
    """Put before the DRF view classes: `versions` maps each version to its `Version`."""

    versions: dict[str, Version] = {}

    @property
    def api_version(self) -> str:
        return getattr(getattr(self, "request", None), "version", None) or api_settings.DEFAULT_VERSION

    @property
    def pagination_class(self):
        return PAGINATION[self.api_version]

    @property
    def filter_backends(self) -> list[type]:
        return list(self._version.filter_backends)

    @property
    def filterset_class(self):  # read by django-filter's DjangoFilterBackend
        return self._version.filterset_class

    def get_serializer_class(self):
        return self._version.serializer_class or super().get_serializer_class()

    @property
    def _version(self) -> Version:
        return self.versions.get(self.api_version, Version())
