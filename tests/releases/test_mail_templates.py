"""What each mail says lives in templates/mail/: one subject and one body template per
Table 4-2 interface and per kind of notice, each used by the code, none missing."""

import re
from pathlib import Path

from django.conf import settings

from releases.communications import render_mail

ROOT = Path(settings.BASE_DIR)
MAIL_DIR = ROOT / "templates" / "mail"
SOURCES = [
    *ROOT.glob("releases/*.py"),
    *ROOT.glob("deployments/services/*.py"),
    *ROOT.glob("changes/*.py"),
    *ROOT.glob("dsl/*.py"),
    *ROOT.glob("satisfaction/*.py"),
    *ROOT.glob("aftercare/*.py"),
    *ROOT.glob("readiness/*.py"),
]
NAMED = re.compile(r'"(informed|rm_[0-9a-z_]+)"|mail\s*=\s*"([0-9a-z_]+)"')


def templates() -> set[str]:
    return {p.name.removesuffix(".subject.txt") for p in MAIL_DIR.glob("*.subject.txt")}


def named_in_code() -> set[str]:
    names = set()
    for source in SOURCES:
        names |= {a or b for a, b in NAMED.findall(source.read_text())}
    return names


def test_every_mail_has_a_subject_and_a_body():
    for name in templates():
        assert (MAIL_DIR / f"{name}.body.txt").exists(), name


def test_every_mail_the_code_names_exists_and_every_template_is_used():
    assert named_in_code() == templates()


def test_a_mail_renders_as_plain_text_with_a_one_line_subject():
    class Release:
        identifier = "ECS-1.0"
        name = "R&D <update>"

        def __str__(self):
            return f"{self.identifier} {self.name}"

        def get_stage_display(self):
            return "RM.6 Install release"

    class Report:
        summary = "All green\nsee annex"

        def get_kind_display(self):
            return "pSAT report"

    subject, body = render_mail("rm_4_1_psat_report", {"release": Release(), "report": Report()})
    assert subject == "pSAT report: your GO/NOGO is awaited"
    assert "R&D <update>" in body  # plain text: nothing escaped
    assert "All green\nsee annex" in body
    assert "Release: ECS-1.0 R&D <update> (RM.6 Install release)" in body
