from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db import models

        from inventory.sql import AnyNumber

        models.IntegerField.register_lookup(AnyNumber)
        models.ForeignKey.register_lookup(AnyNumber)  # to integer keys only
        from inventory.services.hooks import register_values_written
        from inventory.services.production import orders_mark_from_values

        register_values_written(orders_mark_from_values)
