"""API of aftercare."""

urlpatterns: list = []
