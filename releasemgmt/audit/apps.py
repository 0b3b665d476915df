from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "releasemgmt.audit"
    label = "audit"
    verbose_name = "Audit log"
