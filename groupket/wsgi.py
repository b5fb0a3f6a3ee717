"""WSGI entry point for gunicorn: `gunicorn groupket.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groupket.settings")
application = get_wsgi_application()
