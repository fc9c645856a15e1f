"""The shared stylesheet, its CSP hash, and the HTML document shell (see the package docs)."""

from __future__ import annotations

import base64
import hashlib
import html

__all__ = ["PAGE_CSP", "PAGE_CSS", "STYLE_SRC", "page_document"]

# The card keeps 1rem from each screen edge on a phone (390 px wide) and is at most 24rem
# wide elsewhere (46rem for a ``wide`` page of tables); border-box sizing keeps the padding
# inside that width.
PAGE_CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; padding: 4rem 1rem;
  line-height: 1.45; }
main { max-width: 24rem; margin: 0 auto; background: #fff; padding: 2rem;
  border-radius: .5rem; box-shadow: 0 1px 4px rgba(0,0,0,.12); overflow-wrap: anywhere; }
@media (max-width: 30rem) { body { padding: 1.5rem 1rem; } main { padding: 1.5rem 1.25rem; } }
h1 { font-size: 1.4rem; margin: 0 0 1.25rem; }
p { margin: 0 0 1rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
input[type=text], input[type=email], input[type=password] { width: 100%; padding: .6rem;
  font: inherit; font-size: 1rem; border: 1px solid #8a93a3; border-radius: .3rem; }
input:focus, button:focus, a:focus { outline: 3px solid #2d6cdf; outline-offset: 1px; }
button, a.button { display: block; margin-top: 1.5rem; width: 100%; padding: .7rem;
  font: inherit; font-size: 1rem; font-weight: 600; color: #fff; background: #1f5ed6;
  border: 0; border-radius: .3rem; cursor: pointer; text-align: center;
  text-decoration: none; }
a { color: #1f5ed6; }
.error { background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd; padding: .6rem .8rem;
  border-radius: .3rem; }
.note { color: #4a5263; font-size: .9rem; }
.request-id { color: #4a5263; font-size: .8rem; margin: 1.5rem 0 0; }
ul.rules { color: #4a5263; font-size: .9rem; padding-left: 1.2rem; }
main.wide { max-width: 46rem; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
table { width: 100%; border-collapse: collapse; font-size: .875rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid #e3e6eb; }
th { font-weight: 600; white-space: nowrap; }
details { margin-top: 1.5rem; }
summary { cursor: pointer; font-weight: 600; }
"""

_CSS_DIGEST = base64.b64encode(hashlib.sha256(PAGE_CSS.encode()).digest()).decode()
STYLE_SRC = f"'sha256-{_CSS_DIGEST}'"

# Nothing but the one stylesheet may load; no framing (RFC 9700 §4.16), no <base> tricks.
PAGE_CSP = f"default-src 'none'; style-src {STYLE_SRC}; frame-ancestors 'none'; base-uri 'none'"


def page_document(title: str, body_html: str, *, wide: bool = False) -> str:
    """A complete page: ``title`` (escaped here) and ``body_html`` (escaped by the caller)
    inside the shared card, with :data:`PAGE_CSS` inlined; ``wide`` for tables."""
    main = '<main class="wide">' if wide else "<main>"
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} · authgate</title>\n<style>{PAGE_CSS}</style>\n"
        f"</head>\n<body>\n{main}\n{body_html}\n</main>\n</body>\n</html>\n"
    )
