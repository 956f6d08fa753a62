"""Fingerprinted static files: ``static_url('css/app.css')`` → ``/static/css/app.css?v=<hash>``.

The ``v`` parameter is the first twelve hex digits of the file's SHA-256, so
a changed file gets a new address: a browser or a proxy may then keep each
address for a year (``Cache-Control: public, max-age=31536000, immutable``)
and still never show a stale stylesheet after a release. Addresses without
``v``, or with an old one, keep Flask's ordinary short-lived caching.
Outside development the hashes are computed once per process; in
development every page reads the files again, so edits show at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

ONE_YEAR = 365 * 24 * 3600
LONG_CACHE = f"public, max-age={ONE_YEAR}, immutable"
EXTENSION = "mutuo_aiuto.static_hashes"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _hash_of(filename: str) -> str | None:
    cache: dict[str, str | None] = current_app.extensions[EXTENSION]
    if filename not in cache or current_app.debug:
        path = Path(current_app.static_folder or "", filename)
        cache[filename] = file_hash(path) if path.is_file() else None
    return cache[filename]


def static_url(filename: str) -> str:
    """The address of a static file, with its content hash when the file exists."""
    digest = _hash_of(filename)
    if digest is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=digest)


def cache_fingerprinted(response: Response) -> Response:
    """A year of caching for a static file asked for by its current hash."""
    version = request.args.get("v")
    if (request.endpoint == "static" and version and response.status_code in (200, 304)
            and version == _hash_of(request.view_args.get("filename", "")
                                    if request.view_args else "")):
        response.cache_control.clear()
        response.headers["Cache-Control"] = LONG_CACHE
    return response


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    app.add_template_global(static_url)
    app.after_request(cache_fingerprinted)
