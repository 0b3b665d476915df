"""A web worker that has loaded the app keeps the garbage collector out of its requests
(issue 17): what it loaded is frozen, the young generations are collected less often."""

import json
import os
import subprocess
import sys
from pathlib import Path

from releasemgmt.runtime import THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import releasemgmt.wsgi
print(json.dumps({
    "thresholds": list(gc.get_threshold()),
    "frozen": gc.get_freeze_count(),
    "views_loaded": "dashboards.views" in sys.modules and "releases.views" in sys.modules,
}))
"""


def test_the_wsgi_entry_point_settles_the_collector_once_the_app_is_loaded():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="releasemgmt.settings.test")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["thresholds"] == list(THRESHOLDS)
    # the views (loaded through the URL map before the first request) are among the frozen
    assert state["views_loaded"]
    assert state["frozen"] > 50_000
