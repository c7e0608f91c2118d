"""Text for a terminal or a log: what could act on the screen is escaped.

A terminal runs what it is sent: ESC and CSI sequences move the cursor, recolour or clear
the screen, OSC 52 writes the clipboard, C1 controls (U+0080–U+009F) act as ESC sequences
in some terminals, a carriage return overwrites what was written, bidirectional overrides
(U+202E …) reorder what is shown and line separators forge lines. Text that comes from
outside (a data literal, a query result, a peer's error body or headers, a file name) is
shown through ``printable`` by every writer to a terminal (``cli.output``) and by the
server's request log. Machine formats written to a file or a pipe keep the data exact.
"""

from __future__ import annotations

import unicodedata

#: Controls (C0, DEL, C1), format characters (bidi controls, zero-width marks), lone
#: surrogates, and the line and paragraph separators.
_ESCAPED = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_LINES = frozenset("\n\t")


def printable(text, lines: bool = False) -> str:
    """*text* with every control, format and separator character written as an escape
    (``\\x1b``, ``\\u202e``); with *lines*, line feeds and tabs are kept (a message of
    several lines), everything else (``\\r`` included) is escaped."""
    text = str(text)
    if text.isprintable():  # the common case, in C: nothing to escape
        return text
    shown = []
    for ch in text:
        if (lines and ch in _LINES) or unicodedata.category(ch) not in _ESCAPED:
            shown.append(ch)
        else:
            code = ord(ch)
            if code < 0x100:
                shown.append(f"\\x{code:02x}")
            else:
                shown.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(shown)


def excerpt(text: str, limit: int = 500) -> str:
    """At most *limit* characters of text a peer sent, on one line, printable."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return printable(" ".join(cut.split()))
