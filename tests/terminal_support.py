"""`zonekg ARGS` with a terminal as stdout: what a user sees (a pseudo-terminal of a given
size, read while the command writes, so that a long output cannot fill it and stall)."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(*args: str, width: int, env: dict[str, str]) -> str:
    """What ``zonekg ARGS`` shows on a terminal *width* columns wide, under *env*: its
    stdout, colours dropped, line ends as ``\\n``; the command must exit 0."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    child = subprocess.Popen(
        [sys.executable, "-m", "zonekg.cli", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert child.wait(timeout=300) == 0
    return ANSI.sub("", shown.decode("utf-8")).replace("\r\n", "\n")
