"""HTML pages of the hosted UI (Jinja2, autoescaped), with anti-framing and no-store headers.

Pages carry ``X-Frame-Options: DENY`` and a CSP with ``frame-ancestors 'none'`` against
clickjacking (RFC 9700 §4.16), and are never cached. Their look (and the CSP hash that lets
exactly that stylesheet in) comes from :mod:`authgate.pages`, shared with the gateway.
"""

from __future__ import annotations

from typing import Any

import jinja2
from starlette.responses import HTMLResponse

from authgate.pages import PAGE_CSP, PAGE_CSS

__all__ = ["PAGE_HEADERS", "error_page", "render"]

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": PAGE_CSP,
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("authgate.idp.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)
# The stylesheet every authgate page shares (the gateway's pages use it too).
_ENV.globals["page_css"] = PAGE_CSS


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``context`` as a hosted-UI page."""
    html = _ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=dict(PAGE_HEADERS))


def error_page(
    message: str, status_code: int = 400, title: str = "Something went wrong"
) -> HTMLResponse:
    """An error page: used when the client cannot safely be redirected to (RFC 6749 §4.1.2.1)."""
    return render("error.html", status_code, title=title, message=message, detail="")
