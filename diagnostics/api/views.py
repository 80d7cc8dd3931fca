from drf_spectacular.utils import OpenApiParameter, extend_schema
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
