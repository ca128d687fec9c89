"""Serves the trading page: `/` is its HTML, `/web/...` its scripts and styles (api.app mounts them).

The page's Content-Security-Policy allows only this origin (scripts, styles, fetch and WebSocket):
no inline script, no CDN, so what runs is exactly the files of this package.
"""

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)
PACKAGE = "api.web"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def static_files() -> StaticFiles:
    return StaticFiles(packages=[(PACKAGE, "static")])


@router.get("/")
async def trading_page(request: Request) -> HTMLResponse:
    """The page; it says whether this api serves the demo keys (so the page never probes for them)."""
    html = (resources.files(PACKAGE) / "static" / "index.html").read_text(encoding="utf-8")
    demo = "1" if request.app.state.settings.demo else "0"
    html = html.replace('content="{demo}"', f'content="{demo}"')
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})
