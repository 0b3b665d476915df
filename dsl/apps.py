from django.apps import AppConfig


class DslConfig(AppConfig):
    name = "dsl"
    verbose_name = "Definitive software library"
