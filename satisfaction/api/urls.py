"""API of satisfaction."""

urlpatterns: list = []
