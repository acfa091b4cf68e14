"""The README lists the demo logins a new user needs; it must name every one that exists."""

from __future__ import annotations

from pathlib import Path

from joinedup.access.demo import URGENT_RESPONSE_LOGIN, demo_password, demo_username
from joinedup.access.models import Profession

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_lists_every_demo_login_with_its_password() -> None:
    for username in [*map(demo_username, Profession.values), URGENT_RESPONSE_LOGIN]:
        assert f"| `{username}` | `{demo_password(username)}` |" in README, username


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
