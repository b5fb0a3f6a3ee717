from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "groupket.orders"
    label = "orders"
    verbose_name = "Group orders"

    def ready(self) -> None:
        from django.core import checks

        from groupket.orders.partners import check_shipping_partners

        checks.register(check_shipping_partners)
