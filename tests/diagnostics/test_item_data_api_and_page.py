"""Item data through the API and the page: export for every reader; import and delete only in a
sandbox and for accountants (403 with the reason elsewhere; the page shows no button)."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from diagnostics.services.item_data import item_data_export
from inventory.models import Item, ItemLedgerEntry
from tests.diagnostics.test_item_data import snapshot

API = "/api/v1/diagnostics/item-data/"
PAGE = "/diagnostics/item-data/"


def exported(item_filter: str = "A") -> bytes:
    out = io.StringIO()
    item_data_export(out, item_filter=item_filter)
    return out.getvalue().encode()


def test_the_api_exports_for_a_viewer(ledger, viewer):
    response = viewer.get(API + "export/", {"item_no": ["A", "B"]})
    assert response.status_code == 200
    assert 'filename="item-data.jsonl"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["items"] == ["A", "B"]
    assert viewer.get(API + "export/", {"item_filter": "NOPE"}).status_code == 400


@override_settings(SANDBOX=False)
def test_the_api_refuses_import_and_delete_outside_a_sandbox(ledger, accountant):
    response = accountant.post(API + "delete/", {"item_filter": "A"}, format="json")
    assert response.status_code == 403
    assert "sandbox" in str(response.data["detail"])
    upload = SimpleUploadedFile("a.jsonl", exported())
    response = accountant.post(API + "import/", {"file": upload}, format="multipart")
    assert response.status_code == 403 and "sandbox" in str(response.data["detail"])
    assert Item.objects.filter(no="A").exists()


@override_settings(SANDBOX=True)
def test_the_api_deletes_and_imports_in_a_sandbox(ledger, accountant, viewer):
    before = snapshot()
    text = exported()
    assert viewer.post(API + "delete/", {"item_filter": "A"}, format="json").status_code == 403
    response = accountant.post(API + "delete/", {"item_filter": "A"}, format="json")
    assert response.status_code == 200 and response.data["deleted"]["item"] == 1
    assert not ItemLedgerEntry.objects.filter(item__no="A").exists()
    response = accountant.post(
        API + "import/", {"file": SimpleUploadedFile("a.jsonl", text)}, format="multipart"
    )
    assert response.status_code == 201, response.data
    assert snapshot() == before
    again = accountant.post(
        API + "import/", {"file": SimpleUploadedFile("a.jsonl", text)}, format="multipart"
    )
    assert again.status_code == 400 and "Items already exist: A" in str(again.data["items"])


@override_settings(SANDBOX=False)
def test_the_page_has_no_import_or_delete_outside_a_sandbox(ledger, accountant_page):
    text = accountant_page.get(PAGE).content.decode()
    assert "Export</button>" in text
    assert "Import</button>" not in text and "Delete item data</button>" not in text
    assert "available only in a sandbox" in text
    response = accountant_page.post(
        PAGE + "delete/", {"delete-item_filter": "A", "delete-confirm": "on"}
    )
    assert response.status_code == 403
    assert Item.objects.filter(no="A").exists()


@override_settings(SANDBOX=True)
def test_the_page_exports_deletes_and_imports_in_a_sandbox(ledger, accountant_page):
    before = snapshot()
    text = accountant_page.get(PAGE).content.decode()
    assert "Import</button>" in text and "Delete item data</button>" in text
    download = accountant_page.get(PAGE + "export/", {"export-item_filter": "A"})
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    # Delete needs the confirmation box.
    page = accountant_page.post(PAGE + "delete/", {"delete-item_filter": "A"})
    assert page.status_code == 200 and Item.objects.filter(no="A").exists()
    done = accountant_page.post(
        PAGE + "delete/", {"delete-item_filter": "A", "delete-confirm": "on"}
    )
    assert done.status_code == 302
    assert "Deleted 1 items" in accountant_page.get(done["Location"]).content.decode()
    done = accountant_page.post(PAGE + "import/", {"file": SimpleUploadedFile("a.jsonl", content)})
    assert done.status_code == 302
    assert "Imported 1 items" in accountant_page.get(done["Location"]).content.decode()
    assert snapshot() == before
    refused = accountant_page.post(
        PAGE + "import/", {"file": SimpleUploadedFile("a.jsonl", content)}
    )
    assert refused.status_code == 200
    assert "Items already exist: A" in refused.content.decode()


@override_settings(SANDBOX=True)
def test_a_viewer_sees_no_import_or_delete_even_in_a_sandbox(ledger, viewer_page):
    text = viewer_page.get(PAGE).content.decode()
    assert "Export</button>" in text and "Import</button>" not in text
    assert (
        viewer_page.post(
            PAGE + "delete/", {"delete-item_filter": "A", "delete-confirm": "on"}
        ).status_code
        == 403
    )


def test_the_page_shows_a_bad_export_filter_in_place(ledger, viewer_page):
    text = viewer_page.get(PAGE + "export/", {"export-item_filter": "NOPE"}).content.decode()
    assert "No item matches" in text
