"""Serving the platform with gunicorn from inside the `joinedup` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from joinedup.wsgi import application

        return application


def run(*, host: str, port: int, workers: int) -> None:
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "worker_class": "gthread",
            "accesslog": "-",
            # method, path, status, size, time: never the query string or the referrer, where
            # a search's words (a person's name) would be (docs/deploying.md, "Logs")
            "access_log_format": '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "timeout": 60,
            # gunicorn's control socket would be one shared path (~/.gunicorn), so two
            # servers on a machine would answer each other's control commands: none is used
            "control_socket_disable": True,
        }
    ).run()
