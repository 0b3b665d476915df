"""Small helpers shared by the web views."""


def posted(request):
    """(data, files) for binding a form on POST, (None, None) otherwise. An empty POST
    (every box unticked) is still a submission: ``request.POST or None`` would miss it."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None
