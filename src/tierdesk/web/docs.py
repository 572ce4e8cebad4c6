"""/docs: Swagger UI served from the package itself (swagger-ui-dist vendored under
static/vendor/swagger-ui, started by static/docs/docs.js), never from a CDN, with the page
Content-Security-Policy (no inline script). FastAPI's own /docs and /redoc (CDN) are off."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from tierdesk.web.pages import PAGE_HEADERS

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tierdesk API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="/static/vendor/swagger-ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs/docs.js"></script>
</body>
</html>
"""


def add_routes(app: FastAPI) -> None:
    """Add GET /docs (the static mount is the console's, `tierdesk.web.console`)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers=PAGE_HEADERS)
