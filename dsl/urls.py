from django.urls import path

from . import views

app_name = "dsl"

urlpatterns = [
    path("applications/<slug:code>/subscribers/", views.subscribers, name="subscribers"),
    path("cmdb/tasks/", views.ci_tasks, name="ci_tasks"),
    path("cmdb/tasks/<int:pk>/", views.ci_task, name="ci_task"),
]
