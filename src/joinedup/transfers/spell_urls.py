"""A hospital's spell id in a URL path: any id, one path segment, read back exactly.

Spell ids come from the hospital (the feed) and from lakes, which put no rule on their
characters; Django's `str` converter cannot carry a "/" (reversing the board's link to such
a stay would fail, and the board with it), and browsers rewrite a segment of "." or "..".
So "~" and "/" are written as "~7E" and "~2F", and a leading "." as "~2E": ids of letters,
digits and "-" are unchanged.
"""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"~([0-9A-F]{2})")


class SpellIdConverter:
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)

    def to_url(self, value: str) -> str:
        text = str(value).replace("~", "~7E").replace("/", "~2F")
        return "~2E" + text[1:] if text.startswith(".") else text
