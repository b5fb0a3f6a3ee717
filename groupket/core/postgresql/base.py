"""Django's PostgreSQL backend, each statement kept within the 65,535 parameters the protocol allows.

The site binds parameters on the server (settings.py, prepared statements), where every value of a statement is one
protocol parameter. Django 5.2 batches bulk inserts, the deletes its collector makes and in_bulk() by a backend's
parameter limit, which PostgreSQL's leaves unset (with client-side binding there is none): a fan-out of notices to a
large space would otherwise be one statement too many parameters long.
"""

from collections.abc import Sequence
from typing import Any

from django.db.backends.postgresql import base, features, operations

MOST_PARAMETERS = 65_535


class DatabaseFeatures(features.DatabaseFeatures):
    max_query_params = MOST_PARAMETERS


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Sequence[Any], objs: Sequence[Any]) -> int:
        # fields: model fields (bulk_create) or their names (the delete collector), one parameter each per row.
        return max(1, MOST_PARAMETERS // len(fields)) if fields else len(objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
