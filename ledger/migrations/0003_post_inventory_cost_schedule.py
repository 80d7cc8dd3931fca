"""The "Post Inventory Cost to G/L" job: every night at 02:00, kept in the database so that it
can be changed in the admin (Periodic tasks)."""

import json

from django.db import migrations

NAME = "Post Inventory Cost to G/L"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "ledger.post_inventory_cost_to_gl",
            "crontab": crontab,
            "kwargs": json.dumps({"post_method": "per_posting_group"}),
            "description": "Adjusts cost first when Inventory Setup asks for it, then posts "
            "inventory cost to the general ledger.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_dimensioncombination_glentry_glitemledgerrelation_and_more"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
