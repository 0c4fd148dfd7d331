from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "todos"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the cache invalidation receivers)
