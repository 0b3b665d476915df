"""The page a personal link opens (``personal_links``): the login first (the page comes
back after it), then, while the link is open, the confirmation already filled; only a
POST acts, and is followed by the thanks (``?done``). A used, superseded or expired link
says so and when."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from releasemgmt.errors import Conflict
from releasemgmt.web import BAD_INPUT, CONFLICT, apply_errors, posted

from . import personal_links


def _state_page(request, link, purpose, status=200):
    target = link.target
    current = personal_links.state(link)
    done_at = purpose.done_at(target, request.user) or link.used_at
    return render(
        request,
        "accounts/personal_link_state.html",
        {
            "link": link,
            "state": "used" if current == "used" or done_at else current,
            "done_at": done_at,
            "title": purpose.title(target),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def personal_link(request, token):
    link = personal_links.find(request.user, token)
    purpose = personal_links.purpose_of(link)
    target = link.target
    if personal_links.state(link) != "open":
        if request.method == "GET" and "done" in request.GET and link.used_at:
            # just done (post, redirect, get): the thanks
            context = {"link": link, "target": target, "result": target}
            return render(request, purpose.done_template, context)
        return _state_page(request, link, purpose, status=200 if request.method == "GET" else 409)
    data, _ = posted(request)
    initial = purpose.initial(target, request.user)
    form = purpose.form(data, initial=initial, target=target)
    status = 200
    if data is not None:
        status = BAD_INPUT
        if form.is_valid():
            try:
                personal_links.use(request.user, token, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                link.refresh_from_db()
                if personal_links.state(link) != "open":  # spent meanwhile: a second post
                    return _state_page(request, link, purpose, status=CONFLICT)
                form.add_error(None, exc.message)
                status = CONFLICT
            else:
                return redirect(f"{request.path}?done")
    return render(
        request,
        purpose.template,
        {"link": link, "target": target, "form": form, "title": purpose.title(target)},
        status=status,
    )
