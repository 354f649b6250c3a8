"""Text from outside systems (product, event, ticket class and slot names, API error
details) shown as plain text: never Markdown, HTML, a link or an image.

Streamlit renders Markdown in ``st.markdown``, captions, alerts, toasts and badges; a
product named ``[win](http://…)`` or ``![](http://…/pixel.png)`` would become a link, or
an image the browser fetches. Every such name goes through ``plain`` before it meets
Markdown; numbers and the app's own words need not.
"""

from __future__ import annotations

import re

# A backslash makes Markdown read the next punctuation character as itself (CommonMark).
# Escaped: what opens links and images ([ ]), HTML and autolinks (< >), emphasis and
# code (* _ ~ `), Streamlit's :colour[…] directives ([), maths ($), headings and tables
# (# |), braces, and the backslash. Dots and colons stay, so "8:00 p.m." reads plainly
# in the source too.
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#|~$])")
# GitHub-flavoured Markdown turns bare addresses ("http://…", "www.…", "a@b.example")
# into links after parsing, escapes or not, so a zero-width space breaks them up.
_BARE_LINK = re.compile(r"(?i)(:(?=//)|\bwww(?=\.)|@)")
ZERO_WIDTH_SPACE = "\u200b"
# Streamlit also reads emoji and icon shortcodes (":rocket:", ":material/home:") and
# colour directives (":red[x]", ":blue-background[x]") in every Markdown body; a
# backslash does not stop those, so a zero-width space after the opening colon does.
# Clock times ("8:00 p.m.") open no shortcode and are left alone.
_SHORTCODE = re.compile(r":(?=[\w+\-/]+:|[A-Za-z][\w\-]*\\\[)")
_BULLET_START = re.compile(r"^([-+])(\s)")
_NUMBER_START = re.compile(r"^(\d+)([.)]\s)")
_WHITESPACE = re.compile(r"\s+")


def plain(value: object) -> str:
    """``value`` as text that Markdown shows exactly as written, on one line."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = _MARKUP.sub(r"\\\1", text)
    text = _BARE_LINK.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, text)
    text = _SHORTCODE.sub(":" + ZERO_WIDTH_SPACE, text)
    text = _BULLET_START.sub(r"\\\1\2", text)
    return _NUMBER_START.sub(r"\1\\\2", text)
