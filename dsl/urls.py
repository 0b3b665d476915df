from django.urls import path

from . import views

app_name = "dsl"

urlpatterns = [
    path("dsl/", views.libraries, name="libraries"),
    path("dsl/<slug:code>/", views.library, name="library"),
    path("dsl/<slug:code>/versions/<str:identifier>/verify/", views.verify, name="verify"),
    path("dsl/<slug:code>/versions/<str:identifier>/media/", views.medium, name="medium"),
    path("applications/<slug:code>/subscribers/", views.subscribers, name="subscribers"),
    path("cmdb/tasks/", views.ci_tasks, name="ci_tasks"),
    path("cmdb/tasks/<int:pk>/", views.ci_task, name="ci_task"),
    path("cmdb/items/<int:pk>/", views.configuration_item, name="configuration_item"),
    path(
        "applications/<slug:code>/configuration-items/",
        views.configuration_items,
        name="configuration_items",
    ),
]
