from django.core.management.base import BaseCommand, CommandError

from inventory.errors import InvalidInput
from ledger.services import PER_POSTING_GROUP, POST_METHODS, inventory_cost_post_to_gl


class Command(BaseCommand):
    help = "Post Inventory Cost to G/L (or, with --preview, show what would be posted)."

    def add_arguments(self, parser):
        parser.add_argument("--method", choices=POST_METHODS, default=PER_POSTING_GROUP)
        parser.add_argument("--document-no", default="")
        parser.add_argument("--preview", action="store_true", help="post nothing, report only")

    def handle(self, *args, method, document_no, preview, **options):
        try:
            report = inventory_cost_post_to_gl(
                post_method=method, document_no=document_no, post=not preview
            )
        except InvalidInput as error:
            raise CommandError(error.detail) from None
        for account, total in report.account_totals().items():
            self.stdout.write(f"  {account:<12} {total:>16,.2f}")
        for skipped in report.skipped:
            self.stdout.write(f"  skipped value entry {skipped.value_entry_no}: {skipped.reason}")
        self.stdout.write(report.message)
