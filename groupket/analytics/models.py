"""What first-party analytics stores: page views of consenting browsers, and the counts rolled up from them.

A page view names a browser by a random identifier (never the member, the IP address, the session or the
browser's own description), the kind of page (a URL name, never an address), the space and the day (P9.1,
P9.3). Raw views are destroyed after 90 days; the counts identify no one.
"""

from django.db import models


class PageView(models.Model):
    browser = models.CharField(max_length=32, help_text="the random identifier of the analytics cookie")
    day = models.DateField()
    page = models.CharField(max_length=100, help_text="the URL name of the page, e.g. accounts:me")
    space_ref = models.BigIntegerField(null=True, blank=True, help_text="the space whose page it was, if any")

    class Meta:
        indexes = [models.Index(fields=["day", "browser"], name="pageview_day_browser")]

    def __str__(self) -> str:
        return f"{self.page} on {self.day}"


class Aggregate(models.Model):
    """One count of a day or a month: browsers, returning browsers, views, a frequency bucket, a space, a page."""

    DAY = "day"
    MONTH = "month"
    PERIODS = [(DAY, "day"), (MONTH, "month")]

    period = models.CharField(max_length=5, choices=PERIODS)
    starts_on = models.DateField()
    metric = models.CharField(max_length=20)
    key = models.CharField(max_length=100, blank=True, default="")
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "starts_on", "metric", "key"], name="one_count_per_period_key")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.starts_on} {self.metric} {self.key}: {self.value}"
