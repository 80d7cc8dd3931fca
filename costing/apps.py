from django.apps import AppConfig


class CostingConfig(AppConfig):
    name = "costing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from costing.services.automatic import adjust_after_posting
        from costing.services.orders import adjust_after_finish, orders_after_posting
        from inventory.services.hooks import register_after_posting, register_order_finished

        register_after_posting(adjust_after_posting)
        # After the items: what their adjustment marked goes up the levels (spec §6.3).
        register_after_posting(orders_after_posting)
        register_order_finished(adjust_after_finish)
