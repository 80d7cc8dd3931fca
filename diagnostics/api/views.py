import io

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.serializers import (
    ActionMessageSerializer,
    CostingIssuesQuerySerializer,
    CostingIssuesReportSerializer,
)
from diagnostics.models import ActionMessage
from diagnostics.services.action_messages import (
    action_message_snooze,
    action_messages_run_all,
    snoozed_types,
)
from diagnostics.services.costing_issues import costing_issues_detect
from diagnostics.services.item_data import item_data_delete, item_data_import, item_data_lines
from inventory.api.permissions import RolePermission, SandboxOnly


class CostingIssuesApi(APIView):
    """Costing Issues Detection: the data errors that break costing, with the entries involved
    and what to do. Filter by item (`item_no`, or `item_filter` as "A|B", "A..C") and by check
    (`check`, repeatable)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("item_no", str),
            OpenApiParameter("item_filter", str),
            OpenApiParameter("check", str, many=True),
        ],
        responses={200: CostingIssuesReportSerializer},
    )
    def get(self, request: Request) -> Response:
        query = CostingIssuesQuerySerializer(
            data={
                **request.query_params.dict(),
                "check": request.query_params.getlist("check"),
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = costing_issues_detect(
            item_filter=data.get("item_filter") or None,
            item_no=data.get("item_no") or None,
            checks=data.get("check") or None,
        )
        return Response(CostingIssuesReportSerializer(report).data)


def _messages(messages) -> Response:
    serializer = ActionMessageSerializer(messages, many=True, context={"snoozed": snoozed_types()})
    return Response(serializer.data)


class ActionMessagesApi(APIView):
    """The action messages (self-diagnostics), issues first."""

    @extend_schema(responses={200: ActionMessageSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return _messages(ActionMessage.objects.order_by("-active", "importance", "type"))


class ActionMessagesRunTestsApi(APIView):
    """Run Tests: delete every message and run every check."""

    @extend_schema(request=None, responses={200: ActionMessageSerializer(many=True)})
    def post(self, request: Request) -> Response:
        return _messages(action_messages_run_all())


class ActionMessageSnoozeApi(APIView):
    """Snooze a type of message for 30 days (the check keeps running)."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, type: int) -> Response:
        snooze = action_message_snooze(type=type, by=request.user.get_username())
        return Response({"type": snooze.type, "snoozed_until": snooze.snoozed_until})


class ItemSelectionSerializer(serializers.Serializer):
    item_filter = serializers.CharField(required=False, allow_blank=True, max_length=250)
    item_no = serializers.ListField(child=serializers.CharField(max_length=20), required=False)

    def selection(self) -> dict:
        data = self.validated_data
        if data.get("item_no"):
            return {"item_nos": data["item_no"]}
        return {"item_filter": data.get("item_filter") or None}


def export_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ItemDataExportApi(APIView):
    """Export item data: every item-related record of the items as one text file (JSON Lines,
    see docs/item-data-format.md). `item_filter` ("A|B", "A..C") or `item_no` (repeatable)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("item_filter", str),
            OpenApiParameter("item_no", str, many=True),
        ],
        responses={(200, "application/x-ndjson"): str},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        query = ItemSelectionSerializer(
            data={**request.query_params.dict(), "item_no": request.query_params.getlist("item_no")}
        )
        query.is_valid(raise_exception=True)
        lines = item_data_lines(**query.selection())
        first = next(lines)  # bad input is a 400 before the download starts

        def everything():
            yield first
            yield from lines

        return export_response(everything(), "item-data.jsonl")


class ItemDataImportApi(APIView):
    """Import item data (sandbox only): the exported file as `file` (multipart); restores it
    exactly, or refuses with nothing written."""

    permission_classes = [RolePermission, SandboxOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=None, responses={201: None})
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Send the exported file as 'file'."]}, status=400)
        text = io.TextIOWrapper(upload.file, encoding="utf-8")
        counts = item_data_import(text)
        return Response({"imported": counts}, status=status.HTTP_201_CREATED)


class ItemDataDeleteApi(APIView):
    """Delete item data (sandbox only): the items and every record of theirs."""

    permission_classes = [RolePermission, SandboxOnly]

    @extend_schema(request=ItemSelectionSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        body = ItemSelectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"deleted": item_data_delete(**body.selection())})
