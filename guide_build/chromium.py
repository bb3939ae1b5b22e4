"""Where the browser tests find Chromium: the distribution's own, never a download.

Debian installs it as /usr/bin/chromium (``apt-get install chromium``); Ubuntu as
a snap, /snap/bin/chromium (``snap install chromium``), with a
/usr/bin/chromium-browser that starts it.
"""

from __future__ import annotations

from pathlib import Path

PLACES = ("/usr/bin/chromium", "/snap/bin/chromium", "/usr/bin/chromium-browser")
MISSING = (
    "The browser tests need Chromium, and found none at "
    + ", ".join(PLACES)
    + ". Install it: `sudo apt-get install chromium` on Debian, "
    "`sudo snap install chromium` on Ubuntu."
)


def find_chromium() -> str | None:
    """The first of the places where a distribution installs Chromium, or None."""
    return next((place for place in PLACES if Path(place).exists()), None)
