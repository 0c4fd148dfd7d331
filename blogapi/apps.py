from django.apps import AppConfig


class BlogapiConfig(AppConfig):
    """The project package as an app: project-wide management commands, and the hook that
    lets the response cache see every ORM write (blogapi.caching.writes)."""

    name = "blogapi"

    def ready(self) -> None:
        from .caching import writes

        writes.install()
