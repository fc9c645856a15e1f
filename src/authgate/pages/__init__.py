"""One look for every page authgate shows a person: the IdP's hosted UI and the gateway's own.

The gateway (``proxy``, ``plugins``) and the IdP (``idp``) may not import each other
(DESIGN.md §6), so the style they share lives here, in a module that imports nothing of
ours. The API is four names:

- :data:`PAGE_CSS`: the stylesheet (a card centred on a grey page, system sans-serif font,
  form fields, buttons, ``.error`` and ``.note`` paragraphs, ``a.button`` links, tables,
  and a wider ``main.wide`` card for pages of tables), inlined in a ``<style>`` element;
- :data:`STYLE_SRC`: the CSP source that allows exactly that ``<style>`` element (its
  SHA-256 hash, CSP Level 3 §8.4), so pages need no ``'unsafe-inline'``;
- :data:`PAGE_CSP`: a whole ``Content-Security-Policy`` for such a page (no scripts, no
  framing);
- :func:`page_document`: a whole HTML document around a body fragment.
"""

from __future__ import annotations

from authgate.pages._document import PAGE_CSP, PAGE_CSS, STYLE_SRC, page_document

__all__ = ["PAGE_CSP", "PAGE_CSS", "STYLE_SRC", "page_document"]
