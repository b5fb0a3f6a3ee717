"""Groupket: spaces for groups, with a privacy policy kept by the code."""

from groupket.celery import app as celery_app

__all__ = ("celery_app",)
