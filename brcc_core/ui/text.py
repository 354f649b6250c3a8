"""Text from outside systems (product, event, ticket class and slot names, API error
details) shown as plain text: never Markdown, HTML, a link or an image.

Streamlit renders Markdown in ``st.markdown``, captions, alerts, toasts, badges and
widget labels; a product named ``[win](http://…)`` or ``![](http://…/pixel.png)`` would
become a link or an image the browser fetches. Every such name goes through ``plain``
before it meets Markdown; numbers and the app's own words need not.
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation, which then reads as itself.
# That covers emphasis, links and images, headings, tables, HTML tags, Streamlit's
# ``:red[…]`` directives and ``$…$`` maths.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WHITESPACE = re.compile(r"\s+")


def plain(value: object) -> str:
    """``value`` as text that Markdown shows exactly as written, on one line."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    return _PUNCTUATION.sub(r"\\\1", text)
