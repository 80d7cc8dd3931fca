from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inventory.services.hooks import register_values_written
        from ledger.services.automatic import post_written_values

        register_values_written(post_written_values)
