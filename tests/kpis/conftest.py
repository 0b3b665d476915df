"""The KPI tests' releases (tests/kpis/history.py), for every test of this folder."""

from .history import history, with_rfc  # noqa: F401
