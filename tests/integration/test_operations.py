"""What an operator meets: `joinedup serve` checks what it needs before it starts (and
collects the static files itself), /health/ tells a load balancer whether the server can
serve, two servers share a machine, and a data command never creates a database."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from pathlib import Path

from command_line import migrated, one_error_line, run_installed
from serving import get, serving


def test_audit_verify_on_an_empty_var_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for var in (tmp_path / "empty", tmp_path / "not" / "there"):
        line = one_error_line(run_installed("audit", "verify", var=var))
        assert "no database" in line and "joinedup manage migrate" in line
        assert not (var / "joinedup.sqlite3").exists()


def test_serve_refuses_to_start_without_a_migrated_database(tmp_path: Path) -> None:
    line = one_error_line(run_installed("serve", var=tmp_path))
    assert "joinedup manage migrate" in line and not (tmp_path / "joinedup.sqlite3").exists()
    done = run_installed("manage", "migrate", "access", "0001", "--verbosity", "0", var=tmp_path)
    assert done.returncode == 0, done.stderr
    line = one_error_line(run_installed("serve", var=tmp_path))
    assert "not migrated" in line and "joinedup manage migrate" in line


def test_serve_collects_static_files_and_health_follows_the_database(tmp_path: Path) -> None:
    """Two servers on one machine, neither with static files collected: each collects its
    own and serves pages; /health/ is 200 until its database goes, then 503."""
    first, second = migrated(tmp_path / "first"), migrated(tmp_path / "second")
    home = tmp_path / "home"  # where gunicorn would put its one control socket
    home.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    with serving(first, **env) as url, serving(second, **env) as other:
        assert list(home.rglob("*")) == []  # no control socket for the servers to share
        for server, var in ((url, first), (other, second)):
            assert (var / "static" / "staticfiles.json").exists()
            status, body = get(f"{server}/health/")
            assert status == 200 and body == {
                "status": "ok",
                "checks": {"database": "ok", "migrations": "ok", "audit_chain": "ok"},
            }
        # the access log names the page, never the words searched for
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}/people/?q=Ada+Lovelace", timeout=10).close()
        (first / "joinedup.sqlite3").unlink()
        status, body = get(f"{url}/health/")
        assert status == 503 and body["status"] == "failing"
        assert body["checks"]["database"] == "failing"
        assert "sqlite3" not in str(body)  # says nothing of the installation
        assert get(f"{other}/health/")[0] == 200
    log = (first / "server.log").read_text()
    assert '"GET /people/" 302' in log and "Lovelace" not in log
