from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inventory.services.hooks import register_values_written
        from inventory.services.production import orders_mark_from_values

        register_values_written(orders_mark_from_values)
