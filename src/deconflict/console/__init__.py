"""The web console: static files only (``static/``), served by the hub at ``/``.

Nothing here runs on the server: ``deconflict.api.routes_console`` reads these files as package
resources. The third-party assets under ``static/vendor/`` come from the npm registry and are
copied there by ``make console``; they are not part of the source tree.
"""

__all__: list[str] = []
