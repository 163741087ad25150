"""`python -m forms.ui.serve [streamlit run options]`: Beatbook's server, made ready before it takes a user.

`streamlit run app.py` does everything on the first visit: imports the pages'
libraries (pandas, Altair, DuckDB and the rest: 2-3 s on two busy cores), opens
the store (its Delta logs and file index) and reads the reference tables. The
first officer to arrive after a deploy or a restart waits for all of it. This
command does that work first, in the same process, and only then starts
Streamlit's server (with the same options `streamlit run` takes), so the port
opens on a warm server: a load balancer's health check passes only when a user
would be served at once. It does not fill an empty store with the demo force:
the first visit still does that, showing its progress.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
PACKAGES = ("data", "analytics", "forms")
SKIP = ("__main__", "bench")  # command lines and the benchmark: never loaded by a page


def import_everything() -> list[str]:
    """Import every module of Beatbook's packages (and so every library a page uses); their names."""
    root = APP.parent
    names = [module.name for package in PACKAGES
             for module in pkgutil.walk_packages([str(root / package)], prefix=f"{package}.")
             if not any(part in SKIP for part in module.name.split("."))]
    for name in names:
        importlib.import_module(name)
    return names


def open_store_now() -> str:
    """Open the configured store as the app will (the same cached handle) and read what every page reads first."""
    from data import reference
    from forms.ui.runtime import get_environment, get_store

    store = get_store(get_environment())
    if store.exists():
        reference.area_names(store)
        reference.ward_names(store)
        reference.list_users(store)
    return store.root


def warm(say=print) -> None:
    """Imports, then the store: what the first visit would otherwise wait for."""
    began = time.perf_counter()
    modules = len(import_everything())
    imported = time.perf_counter()
    root = open_store_now()
    say(f"Beatbook: {modules} modules imported in {imported - began:.1f} s; store {root} opened in"
        f" {time.perf_counter() - imported:.1f} s. Starting the server.")


def main(argv: list[str] | None = None) -> None:
    """Warm up, then hand over to `streamlit run app.py` with the options given."""
    sys.path.insert(0, str(APP.parent))
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
