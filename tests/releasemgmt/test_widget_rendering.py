"""The forms' widgets are written from Django's Jinja2 templates (``FORM_RENDERER``,
issue 17); the admin's own widgets, which only Django's language has, still render."""

import pytest
from django.contrib import admin
from django.test import Client


@pytest.mark.django_db
def test_every_admin_add_page_renders_with_the_admins_widgets(django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(superuser)
    wrapped = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            continue
        meta = model._meta
        response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/")
        assert response.status_code == 200, meta.label
        wrapped += response.content.count(b"related-widget-wrapper")
    # the admin's wrapper of a relation's select (admin/widgets/related_widget_wrapper.html)
    assert wrapped > 0


@pytest.mark.django_db
def test_a_select_and_its_options_are_written_as_django_writes_them(client, cast):
    client.force_login(cast.rm)
    page = client.get("/releases/?stage=acceptance").content.decode()
    assert '<select name="stage" id="id_stage">' in page
    assert '<option value="acceptance" selected>RM.4 Accept release</option>' in page
