"""The server launcher imports every module a page may use before the port opens, and no command line."""

from __future__ import annotations

import sys

from forms.ui import serve


def test_every_page_module_is_imported_before_the_server_starts():
    names = serve.import_everything()
    assert {"analytics.queries", "analytics.charts", "forms.ui.dashboard", "data.store", "forms.ccrs"} <= set(names)
    assert all(name in sys.modules for name in names)
    # Command lines and the benchmark are never loaded by a page: not imported.
    assert not [n for n in names if n.endswith("__main__") or n.startswith("analytics.bench")]
    assert len(names) > 100
