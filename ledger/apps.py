from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inventory.services.hooks import register_reopen_check, register_values_written
        from ledger.services.automatic import post_written_values
        from ledger.services.closing import period_held_by_close

        register_values_written(post_written_values)
        register_reopen_check(period_held_by_close)
