"""API of readiness."""

urlpatterns: list = []
