from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.api.serializers import CostingIssuesQuerySerializer, CostingIssuesReportSerializer
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
