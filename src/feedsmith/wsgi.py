"""WSGI entry point for production servers: ``gunicorn 'feedsmith.wsgi:app'``.

The config file is named by ``FEEDSMITH_CONFIG`` (default ``config.yaml``). A worker
starts answering from the static tree at once when it is current (see
:class:`feedsmith.web.StaticTree`) and from the live site once that is loaded.
"""

import os

from .config import load_config
from .web import create_app

app = create_app(load_config(os.environ.get("FEEDSMITH_CONFIG", "config.yaml")), warm_start=True)
