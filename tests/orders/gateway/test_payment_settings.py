"""GROUPKET_PAYMENT_URL and GROUPKET_PAYMENT_SECRET_KEY: where the gateway is and how we prove who we are."""

import logging
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from groupket.orders.gateway.client import PaymentGateway
from tests.test_security import run_in_production

PRINT_PAYMENT_URL = [
    "-c",
    "import django; from django.conf import settings; django.setup(); print(settings.GROUPKET_PAYMENT_URL)",
]


def test_production_talks_to_the_gateway_over_https_by_default(tmp_path: Path) -> None:
    started = run_in_production(tmp_path, *PRINT_PAYMENT_URL)

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().splitlines()[-1] == "https://api.tosspayments.com"


def test_production_refuses_a_plain_http_gateway(tmp_path: Path) -> None:
    # The secret key travels in the Authorization header of every call.
    started = run_in_production(tmp_path, *PRINT_PAYMENT_URL, GROUPKET_PAYMENT_URL="http://127.0.0.1:8765")

    assert started.returncode != 0
    assert "GROUPKET_PAYMENT_URL must start with https:// when GROUPKET_ENV=production" in started.stderr


def test_without_a_secret_key_no_gateway_is_made(settings: pytest.FixtureRequest) -> None:
    settings.GROUPKET_PAYMENT_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="GROUPKET_PAYMENT_SECRET_KEY is not set"):
        PaymentGateway.from_settings()


def test_gateway_urls_stay_out_of_the_logs(gateway: PaymentGateway, caplog: pytest.LogCaptureFixture) -> None:
    # httpx would log each URL at INFO, and the gateway's URLs name payment keys and order references.
    with caplog.at_level(logging.INFO):
        gateway.find_payment_for_order(order_id="order-reference-in-a-url")

    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert "order-reference-in-a-url" not in caplog.text
