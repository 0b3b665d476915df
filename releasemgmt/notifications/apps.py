from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "releasemgmt.notifications"
    label = "notifications"
    verbose_name = "Notifications"
