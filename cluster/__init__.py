"""`make cluster-test`: Groupket on two gunicorn nodes behind nginx, with a Celery worker and beat, under faults."""
