from django.contrib import admin

from ledger import models

admin.site.register(models.GLAccount)
admin.site.register(models.GeneralPostingSetup)
admin.site.register(models.InventoryPostingSetup)
