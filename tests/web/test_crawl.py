"""Every link of the web workspace followed as each role on the demo (issue: the workspace, every page reachable):
no answer is a server error, every page a role reaches carries the navigation of DESIGN.md §8 that its role
may use, and no page links to another server (councils run offline).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from fastapi.testclient import TestClient

from placespend.app.demo.build import DEMO_PASSWORD, DEMO_USERS
from placespend.app.workspace import open_workspace
from placespend.web.app import create_app

from conftest import demo_copy

# The paths DESIGN.md §8 puts in the navigation, and who sees each link (the others get 403 and no link).
NAVIGATION = {"/places": "all", "/compare": "all", "/analyses": "all", "/reports": "all", "/deepdives": "all",
              "/bodies": "all", "/insight": "all",
              "/assets": "all", "/suppliers": "all", "/submissions": ("admin", "analyst", "partner"),
              "/imports": ("admin", "analyst"), "/account": "all"}
# Links that change something or end the session are not followed by a crawler (they are POST forms anyway).
SKIP = re.compile(r"^/(logout|static|static-vendor|docs|openapi\.json|redoc)\b")
LIMIT = 400  # pages per role: every page type is reached well within it on the demo
PER_KIND = 6  # variants of one kind of page (the same path with other ids or query strings) worth asking for


def _kind(url: str) -> str:
    """A page's kind: its path with the segments that carry an id or code made alike."""
    return re.sub(r"/[^/]*\d[^/]*", "/_", urlparse(url).path)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    cli = demo_copy(tmp_path_factory.mktemp("crawl") / "demo.duckdb")
    application = create_app(open_workspace(cli.db))
    yield application
    application.state.workspace.close()


def _links(html: str, here: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', html):
        url = urldefrag(urljoin(here, href.replace("&amp;", "&")))[0]
        found.append(url)
    return found


@pytest.mark.parametrize(("username", "role"), [(u, r) for u, r, _ in DEMO_USERS])
def test_every_link_answers_without_a_server_error(app, username, role):
    client = TestClient(app, base_url="http://testserver")
    signed = client.post("/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    queue, seen, errors, outside, missing_nav = deque(["http://testserver/places"]), set(), [], set(), []
    kinds: Counter[str] = Counter()
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen or kinds[_kind(url)] >= PER_KIND:
            continue
        seen.add(url)
        kinds[_kind(url)] += 1
        response = client.get(url, follow_redirects=False)
        if response.status_code >= 500:
            errors.append((url, response.status_code, response.text[:200]))
            continue
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', response.text, re.S)
        if nav:
            nav = nav.group(1)
            for path, who in NAVIGATION.items():
                if (who == "all" or role in who) != (f'href="{path}"' in nav):
                    missing_nav.append((url, path))
        for link in _links(response.text, url):
            parsed = urlparse(link)
            if parsed.scheme in ("mailto", "data", "javascript"):
                continue
            if parsed.netloc and parsed.netloc != "testserver":
                outside.add(link)
                continue
            if SKIP.match(parsed.path) or link in seen:
                continue
            queue.append(link)
    assert errors == []
    assert missing_nav == []
    assert outside == set()
    assert len(kinds) > 15  # the crawl did reach the workspace, not just a login page
