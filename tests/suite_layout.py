"""Where each test runs: on which databases, and on which pytest-xdist worker.

A test that opens Django's database says which databases it runs on (pyproject.toml's
markers both_databases and once_on_postgres): `make test` runs every test on PostgreSQL and
those marked both_databases on SQLite too, and a test that says neither stops the run
before it starts. Tests that share a costly set-up are grouped on one worker.
"""

from __future__ import annotations

import pytest

DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "site",
}
# Costly set-ups shared by many tests, each kept on one pytest-xdist worker (--dist loadgroup)
# so it is built once a run and never twice at once; the biggest are handed out first.
SHARED_SETUPS = ("calibration", "spark", "browser", "risk-city")


def _uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(fixtures & DATABASE_FIXTURES)


def _shared_setup(item: pytest.Item) -> str | None:
    """The costly set-up `item` shares with tests elsewhere, if any (its xdist group)."""
    fixtures = set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("spark"):
        return "spark"
    if item.path.name == "test_calibration.py":
        return "calibration"
    if fixtures & {"risk_city", "risk_model"}:
        return "risk-city"
    if item.get_closest_marker("browser"):
        return "browser"
    return None


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _module_scoped(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info is not None else ()
    return any(d.scope == "module" for defs in definitions for d in defs)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    undecided = sorted(
        {
            _module(item)
            for item in items
            if _uses_database(item)
            and not item.get_closest_marker("both_databases")
            and not item.get_closest_marker("once_on_postgres")
        }
    )
    if undecided:
        raise pytest.UsageError(
            "these tests use the database but do not say which ones they run on "
            "(mark them both_databases or once_on_postgres, see pyproject.toml): "
            + ", ".join(undecided)
        )
    groups: dict[str, str | None] = {}
    by_module: dict[str, str] = {}
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("engine") == "spark":
            item.add_marker(pytest.mark.spark)
        groups[item.nodeid] = group = _shared_setup(item)
        if group is not None:
            by_module.setdefault(_module(item), group)
    for item in items:
        if groups[item.nodeid] is None and _module_scoped(item):
            # the module's own set-up is built once, beside its tests that share another
            groups[item.nodeid] = by_module.get(_module(item), _module(item))
        if groups[item.nodeid] is not None and config.pluginmanager.hasplugin("xdist"):
            item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    order = {name: rank for rank, name in enumerate(SHARED_SETUPS)}
    items.sort(key=lambda item: order.get(groups[item.nodeid] or "", len(order)))
