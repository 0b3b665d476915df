from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "releasemgmt.accounts"
    label = "accounts"
    verbose_name = "Accounts"
