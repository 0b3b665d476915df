"""The start page as a browser shows it: the page, then each of its parts as htmx asks
for them once the page is shown (``dashboards.views.START_PARTS``)."""

import re

#: a part's placeholder on the start page, which htmx replaces by the part
PLACEHOLDER = re.compile(r'<div class="start-part" hx-get="([^"]+)"[^>]*>.*?</div>', re.S)


def _get(client, address: str, **headers) -> str:
    response = client.get(address, headers=headers)
    assert response.status_code == 200, address
    return response.content.decode()


def start_parts(client) -> dict[str, str]:
    """Each part of the start page, by its address, as htmx receives it."""
    page = _get(client, "/")
    return {a: _get(client, a, HX_Request="true") for a in PLACEHOLDER.findall(page)}


def start_page(client) -> str:
    """The start page with its parts in place."""
    page = _get(client, "/")
    return PLACEHOLDER.sub(lambda m: _get(client, m.group(1), HX_Request="true"), page)


#: the release page's placeholder of its record (``releases.views.release_record``)
RECORD = re.compile(
    r'<div id="record" class="page-part" hx-get="([^"]+)"[^>]*>.*?</section>\s*</div>', re.S
)


def release_page(client, release) -> str:
    """The release page with its record (activities, decisions, documents,
    communications, audit trail) in place, as htmx brings it once the page is shown."""
    page = _get(client, f"/releases/{release.identifier}/")
    return RECORD.sub(lambda m: _get(client, m.group(1), HX_Request="true"), page, count=1)
