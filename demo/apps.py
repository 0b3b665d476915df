from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data of the embedded default: people for every party and releases in every
    stage, made through the real services. It sits above every room and nothing uses it."""

    name = "demo"
