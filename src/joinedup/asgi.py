"""The ASGI application, for deployments that prefer an ASGI server to gunicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.settings")

application = get_asgi_application()
