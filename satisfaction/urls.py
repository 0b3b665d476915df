"""Pages of satisfaction."""

app_name = "satisfaction"
urlpatterns: list = []
