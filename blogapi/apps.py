from django.apps import AppConfig


class BlogapiConfig(AppConfig):
    """The project package as an app, so project-wide management commands live in it."""

    name = "blogapi"
