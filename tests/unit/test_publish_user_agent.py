"""The User-Agent the publisher sends names the tool, its version and a real contact page (it was
a placeholder, ``+https://github.com/``, found by a new-user test)."""

from __future__ import annotations

import re

from opendata_mh import __version__
from opendata_mh.publish import USER_AGENT


def test_user_agent_names_the_tool_version_and_a_contact_page() -> None:
    m = re.fullmatch(r"opendata-mh/(\S+) \(publish; \+(https://[^)\s]+)\)", USER_AGENT)
    assert m, USER_AGENT
    assert m.group(1) == __version__
    # a page, not a bare host placeholder
    assert m.group(2) == "https://www.nationaalrapporteur.nl/"
