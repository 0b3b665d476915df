"""Where a page's server time goes: a sampling profile (pyinstrument) of repeated
requests in-process, summed by what the time was spent on. The summary sits next to the
page's figures in docs/quality.md (issue 17: find where the time goes, then remove it)."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.test import Client
from pyinstrument import Profiler

ROOT = Path(__file__).resolve().parent.parent
#: the rooms of the product (the rest of ROOT is the virtualenv and node_modules)
ROOMS = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {
    "tests",
    "bench",
}

#: what a frame's time is counted as: the innermost frame that matches decides, so a
#: query run while a template renders counts as SQL, a lookup the template does as
#: templates, and the product's own code as "product" (with what it calls in the stdlib)
KINDS = (
    ("SQL", ("/psycopg2/", "/django/db/backends/")),
    ("ORM", ("/django/db/models/",)),
    ("templates", ("/django/template/", "/django/templatetags/")),
    ("DRF", ("/rest_framework/", "/drf_spectacular/")),
    ("permissions", ("/guardian/",)),
)


def _kind(path: str) -> str | None:
    for kind, parts in KINDS:
        if any(part in path for part in parts):
            return kind
    relative = path.removeprefix(str(ROOT) + "/")
    if relative != path and relative.split("/", 1)[0] in ROOMS:
        return "product"
    return None


@dataclass
class Profile:
    ms: float  # sampled time per request
    kinds: Counter = field(default_factory=Counter)  # ms per request by kind
    hot: list[tuple[str, float]] = field(default_factory=list)  # product functions, ms

    def summary(self) -> str:
        total = sum(self.kinds.values()) or 1.0
        parts = ", ".join(
            f"{kind} {100 * ms / total:.0f}%" for kind, ms in self.kinds.most_common() if ms
        )
        hot = "; ".join(f"{name} {ms:.1f}" for name, ms in self.hot)
        return f"{parts}" + (f" | product: {hot}" if hot else "")


def profile(user, path: str, repeat: int = 20, hot: int = 3) -> Profile:
    """Profile ``repeat`` requests of ``path`` as ``user`` after two to warm up."""
    client = Client(SERVER_NAME="localhost")
    if user is not None:
        client.force_login(user)
    for _ in range(2):
        client.get(path)
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    for _ in range(repeat):
        client.get(path)
    session = profiler.stop()
    kinds: Counter = Counter()
    product: Counter = Counter()

    def walk(frame, kind, seen):
        own = _kind(frame.file_path or "") or kind
        kinds[own if own else "Django, Python"] += frame.total_self_time
        if own == "product" and _kind(frame.file_path or "") == "product":
            name = f"{Path(frame.file_path).parent.name}.{frame.function}"
            if name not in seen:  # a recursive call counts once
                product[name] += frame.time
                seen = seen | {name}
        for child in frame.children:
            walk(child, own, seen)

    root = session.root_frame()
    if root is not None:
        walk(root, None, frozenset())
    per_request = 1000 / repeat
    return Profile(
        ms=session.duration * per_request,
        kinds=Counter({k: v * per_request for k, v in kinds.items()}),
        hot=[
            (name, ms * per_request)
            for name, ms in product.most_common()
            if not name.endswith(("dispatch", "view", "wrapper", "inner", "_wrapped_view"))
        ][:hot],
    )
