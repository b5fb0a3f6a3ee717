"""What the privacy engine's tasks deliver: mail and archives, given ids (privacy.tasks).

These modules import models, the guard, selectors and the inventory, never a service or a task, so that
services can import privacy.tasks to enqueue without a cycle (the rule at the top of tests/test_architecture.py).
"""
