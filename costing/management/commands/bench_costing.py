"""`python manage.py bench_costing --entries N [--items K] [--seed S]`: the costing benchmark.

Builds a deterministic synthetic ledger through the posting services (progress on stderr), then
times posting, a full cost adjustment and an incremental one; the last line on stdout is one JSON
object with the figures. Meant for a dedicated database, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/costing_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/costing_bench \\
        python manage.py bench_costing --entries 1000000

See costing/bench.py for what the ledger holds and docs/performance.md for measured figures.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from costing import bench
from inventory.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic ledger of N item ledger entries and time posting, a full "
        "cost adjustment and an incremental one; prints one JSON line. Refuses a database that "
        "already holds ledger entries unless --reset is given (which deletes ALL ledger data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--entries", type=int, required=True, help="Item ledger entries to create (N)."
        )
        parser.add_argument(
            "--items",
            type=int,
            default=None,
            help=f"Items, the chain item included (default: N/500, between {bench.MIN_ITEMS} "
            "and 2000).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--journal-lines",
            type=int,
            default=1000,
            help="Lines per item_journal_post call (default 1000).",
        )
        parser.add_argument(
            "--chain",
            type=int,
            default=10_000,
            help="Outbound entries reached by the incremental case's receipt (default 10000, "
            "at most N/2).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete ALL inventory ledger data of this database and the bench's items.",
        )
        parser.add_argument(
            "--no-analyze",
            action="store_true",
            help="Skip VACUUM ANALYZE of the ledger tables (and the CHECKPOINT after it) between "
            "posting and adjusting.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Run the full adjustment as item batches on a Celery worker with this many "
            "processes, started and stopped by the bench (needs CELERY_BROKER_URL); default 0: "
            "in this process.",
        )
        parser.add_argument(
            "--profile",
            metavar="PREFIX",
            default=None,
            help="Write a cProfile file per phase: PREFIX-post.prof, PREFIX-adjust_full.prof, "
            "PREFIX-adjust_incremental.prof (slows the run down).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = bench.BenchConfig.make(
                entries=options["entries"],
                items=options["items"],
                seed=options["seed"],
                journal_lines=options["journal_lines"],
                chain=options["chain"],
            )
            if options["workers"] < 0:
                raise ValueError("--workers must be 0 or more.")
        except ValueError as error:
            raise CommandError(str(error)) from error

        existing = bench.ledger_entry_count()
        if existing and not options["reset"]:
            raise CommandError(
                f"This database already holds {existing:,} item ledger entries. The bench is "
                "meant for a dedicated database (e.g. DATABASE_URL=postgres://.../costing_bench); "
                "pass --reset to delete ALL inventory ledger data in it first."
            )
        if options["reset"]:
            bench.reset_database(lambda text: self.stderr.write(self.style.WARNING(text)))
        elif bench.Item.objects.filter(no__startswith=bench.ITEM_PREFIX).exists():
            # Items of an earlier run without entries (e.g. it was interrupted): start afresh.
            bench.Item.objects.filter(no__startswith=bench.ITEM_PREFIX).delete()

        try:
            figures = bench.run_bench(
                config,
                self.stderr,
                profile_prefix=options["profile"],
                analyze=not options["no_analyze"],
                workers=options["workers"],
            )
        except (ValueError, InvalidInput) as error:
            detail = getattr(error, "detail", error)
            raise CommandError(f"The bench stopped: {detail}") from error
        self.stdout.write(bench.as_json_line(figures))
