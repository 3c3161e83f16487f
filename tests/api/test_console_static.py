"""The web console as files the hub serves: routes, headers, content types, the message shown
when the offline assets are missing, and checks of our own HTML, JavaScript and CSS (no address
outside this origin, every control labelled, every imported module and element id present).
The browser tests are in tests/console/."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from deconflict.api import Settings, create_app
from deconflict.api.routes_console import (
    CONTENT_SECURITY_POLICY,
    REQUIRED_VENDOR_FILES,
    console_router,
    static_root,
)

STATIC = static_root()
OWN_FILES = sorted(p for p in STATIC.rglob("*")
                   if p.is_file() and "vendor" not in p.relative_to(STATIC).parts)


def _client(root: Path) -> TestClient:
    app = FastAPI()
    app.include_router(console_router(root))
    return TestClient(app)


@pytest.fixture
def console_copy(tmp_path: Path) -> Path:
    """Our own files, and stand-ins for the vendor files that `make console` copies."""
    root = tmp_path / "static"
    shutil.copytree(STATIC, root, ignore=shutil.ignore_patterns("vendor"))
    for name in REQUIRED_VENDOR_FILES:
        path = root / "vendor" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}" if name.endswith(".json") else "/* stand-in */")
    return root


def test_the_package_holds_the_console() -> None:
    names = {p.relative_to(STATIC).as_posix() for p in OWN_FILES}
    assert {"index.html", "app.js", "style.css", "session.js", "map.js", "basemap.js",
            "units.js", "cells.js", "zones.js", "sites.js", "notices.js", "alerts.js",
            "lines.js", "replay.js", "layers.js"} <= names


def test_index_and_static_files_with_their_types_and_headers(console_copy: Path) -> None:
    client = _client(console_copy)
    index = client.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert index.headers["x-content-type-options"] == "nosniff"
    assert index.headers["cache-control"] == "no-cache"
    expected = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                "vendor/basemap.json": "application/json"}
    for name, content_type in expected.items():
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == content_type
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (console_copy / name).read_bytes()
    assert "max-age" in client.get("/static/vendor/milsymbol.js").headers["cache-control"]
    assert client.head("/static/app.js").status_code == 200


def test_a_revalidated_file_is_not_sent_again(console_copy: Path) -> None:
    client = _client(console_copy)
    etag = client.get("/static/app.js").headers["etag"]
    again = client.get("/static/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    (console_copy / "app.js").write_text("// changed\n")
    assert client.get("/static/app.js", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", [
    "/static/../routes_console.py", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/",
    "/static/nothing.js", "/static/.hidden.js", "/static/__init__.py", "/static/vendor",
    "/static/..%2fapp.js", "/static/app.js%00.html",
])
def test_nothing_outside_the_folder_or_of_another_type(console_copy: Path, path: str) -> None:
    (console_copy / ".hidden.js").write_text("secret")
    (console_copy / "__init__.py").write_text("secret")
    response = _client(console_copy).get(path)
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_a_symlink_out_of_the_folder_is_not_followed(console_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.js"
    outside.write_text("secret")
    (console_copy / "link.js").symlink_to(outside)
    assert _client(console_copy).get("/static/link.js").status_code == 404


def test_missing_vendor_files_say_how_to_install_them(console_copy: Path) -> None:
    (console_copy / "vendor" / "milsymbol.js").unlink()
    response = _client(console_copy).get("/")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/plain")
    assert "make console" in response.text and "vendor/milsymbol.js" in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_hub_serves_the_console_outside_its_api_schema(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "unused.db"))
    client = TestClient(app)  # no lifespan: the console needs no database
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/").status_code in (200, 503)  # 503 until `make console` has run
    paths = app.openapi()["paths"]
    assert "/" not in paths and not any(p.startswith("/static") for p in paths)


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_our_files_name_no_other_origin(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE), path.name
    assert "<script>" not in text  # no inline scripts: the policy would block them


class _Controls(HTMLParser):
    """Controls, labels and ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea"):
            self.controls.append(a)
        if tag == "script":
            self.scripts.append(a)


def _page() -> _Controls:
    parser = _Controls()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    return parser


def test_every_control_of_the_page_has_a_label() -> None:
    page = _page()
    unlabelled = [c for c in page.controls
                  if c.get("id") not in page.label_for and not c.get("aria-label")]
    assert unlabelled == []
    assert all(s.get("src", "").startswith("/static/") for s in page.scripts)


def test_modules_and_element_ids_the_scripts_use_exist() -> None:
    page = _page()
    for module in STATIC.glob("*.js"):
        text = module.read_text(encoding="utf-8")
        for imported in re.findall(r'from "\./([\w-]+\.js)"', text):
            assert (STATIC / imported).is_file(), f"{module.name} imports {imported}"
        for element_id in re.findall(r'\$\("([\w-]+)"\)', text):
            assert element_id in page.ids, f"{module.name} uses #{element_id}"
