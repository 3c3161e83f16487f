"""The web console: ``/`` and ``/static/...`` from the package's files, under a strict CSP.

The console is plain files (HTML, ES modules, CSS) and the offline assets that ``make console``
copies from npm into ``static/vendor/``. Nothing is fetched from elsewhere, so the policy allows
only this origin (``data:`` images for the map's symbols, inline styles that Leaflet sets on the
elements it positions). When the vendor files are missing the page would be broken, so ``/``
says plainly how to install them instead.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "REQUIRED_VENDOR_FILES",
    "console_router",
    "router",
    "static_root",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

#: What the page cannot work without; each is copied by ``make console``.
REQUIRED_VENDOR_FILES = ("leaflet/leaflet.js", "leaflet/leaflet.css", "milsymbol.js",
                         "basemap.json")

MISSING_VENDOR_MESSAGE = (
    "The web console's offline assets are missing (static/vendor).\n"
    "Run `make console` in the source tree (it runs `npm ci` and copies Leaflet, milsymbol and\n"
    "the basemap into place), then reload this page. The API under /api/v1 works meanwhile.\n"
)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}

_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

# Our own files change with the code: always revalidate. Vendor files change only with the lock.
_OWN_CACHE = "no-cache"
_VENDOR_CACHE = "public, max-age=86400"


def static_root() -> Path:
    """The console's ``static`` folder inside the installed package."""
    return Path(str(resources.files("deconflict.console").joinpath("static")))


def _missing_files(root: Path) -> list[str]:
    wanted = ("index.html", *(f"vendor/{name}" for name in REQUIRED_VENDOR_FILES))
    return [name for name in wanted if not (root / name).is_file()]


def _resolve(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names under ``root``, or None: no escaping, no hidden or odd names."""
    parts = PurePosixPath(relative).parts
    if not parts or any(p in ("", ".", "..") or p.startswith(".") or "\\" in p for p in parts):
        return None
    path = root.joinpath(*parts)
    if path.suffix not in _TYPES or not path.is_file():
        return None
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:  # a symlink pointing out of the folder
        return None
    return path


def _file_response(request: Request, path: Path, cache: str) -> Response:
    body = path.read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {**_HEADERS, "Cache-Control": cache, "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=_TYPES[path.suffix], headers=headers)


def _not_found() -> PlainTextResponse:
    return PlainTextResponse("not found\n", status_code=404, headers=_HEADERS)


def console_router(root: Path) -> APIRouter:
    """Routes serving the console from ``root`` (the package's ``static`` folder by default)."""
    router = APIRouter(include_in_schema=False)

    @router.api_route("/", methods=["GET", "HEAD"])
    def index(request: Request) -> Response:
        missing = _missing_files(root)
        if missing:
            text = MISSING_VENDOR_MESSAGE + "Missing: " + ", ".join(missing) + "\n"
            return PlainTextResponse(text, status_code=503,
                                     headers={**_HEADERS, "Cache-Control": "no-store"})
        return _file_response(request, root / "index.html", _OWN_CACHE)

    @router.api_route("/static/{relative:path}", methods=["GET", "HEAD"])
    def static(relative: str, request: Request) -> Response:
        path = _resolve(root, relative)
        if path is None:
            return _not_found()
        vendor = relative.startswith("vendor/")
        return _file_response(request, path, _VENDOR_CACHE if vendor else _OWN_CACHE)

    return router


router = console_router(static_root())
