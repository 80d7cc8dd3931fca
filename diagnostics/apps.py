from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from costing.services.hooks import register_after_adjustment
        from costing.services.orders import orders_waiting_count
        from diagnostics.services import action_messages, capacity_issues
        from inventory.services.hooks import register_after_posting

        register_after_posting(action_messages.after_posting)
        register_after_adjustment(action_messages.after_adjustment)
        capacity_issues.register()
        action_messages.register_order_counter(orders_waiting_count)
