"""Master data is kept in the admin; the ledgers are shown read-only (they are append-only)."""

from django.contrib import admin

from inventory import models


@admin.register(models.InventorySetup)
class InventorySetupAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not models.InventorySetup.objects.exists()


@admin.register(models.Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["no", "description", "costing_method", "unit_cost", "cost_is_adjusted"]
    list_filter = ["costing_method", "cost_is_adjusted", "excluded_from_cost_adjustment"]
    search_fields = ["no", "description"]
    readonly_fields = ["unit_cost", "last_direct_cost", "cost_is_adjusted"]


admin.site.register(models.Location)
admin.site.register(models.ItemVariant)
admin.site.register(models.AccountingPeriod)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ItemLedgerEntry)
class ItemLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item",
        "posting_date",
        "entry_type",
        "location",
        "quantity",
        "remaining_quantity",
    ]
    list_filter = ["entry_type", "open"]


@admin.register(models.ValueEntry)
class ValueEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item",
        "item_ledger_entry",
        "entry_type",
        "posting_date",
        "cost_amount_actual",
        "cost_amount_expected",
    ]
    list_filter = ["entry_type", "adjustment"]


@admin.register(models.ItemApplicationEntry)
class ItemApplicationEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "item_ledger_entry",
        "inbound_item_entry",
        "outbound_item_entry",
        "quantity",
    ]


@admin.register(models.WorkCenter)
class WorkCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_cost", "indirect_cost_pct", "overhead_rate"]
    search_fields = ["code", "name"]


@admin.register(models.ProductionOrder)
class ProductionOrderAdmin(ReadOnlyAdmin):
    """Released and finished through the pages and the API (the services check the ledger)."""

    list_display = ["no", "item", "location", "quantity", "status", "finished_date"]
    list_filter = ["status"]


@admin.register(models.CapacityLedgerEntry)
class CapacityLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "entry_no",
        "order_no",
        "work_center",
        "posting_date",
        "quantity",
        "direct_cost",
    ]
    list_filter = ["order_type", "capacity_type"]


@admin.register(models.InventoryAdjmtEntryOrder)
class InventoryAdjmtEntryOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_type", "order_no", "item", "cost_is_adjusted"]
    list_filter = ["order_type", "cost_is_adjusted"]


@admin.register(models.AssemblyOrder)
class AssemblyOrderAdmin(ReadOnlyAdmin):
    list_display = ["no", "item", "location", "posting_date", "quantity"]


@admin.register(models.InventoryPeriod)
class InventoryPeriodAdmin(ReadOnlyAdmin):
    """Closing and reopening have their rules and history (the Inventory Periods page)."""

    list_display = ["ending_date", "name", "closed"]


@admin.register(models.InventoryPeriodEntry)
class InventoryPeriodEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_no", "ending_date", "entry_type", "user_name", "created_at"]
