from django.apps import AppConfig


class CostingConfig(AppConfig):
    name = "costing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from costing.services.automatic import adjust_after_posting
        from inventory.services.hooks import register_after_posting

        register_after_posting(adjust_after_posting)
