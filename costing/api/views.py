from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from costing import services
from costing.api.serializers import RunRequestSerializer, RunResultSerializer


class CostAdjustmentRunApi(APIView):
    """Adjust cost now, for the items of the filter that need it, and say what changed."""

    @extend_schema(request=RunRequestSerializer, responses={200: RunResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.cost_adjustment_run(
            item_filter=data["item_filter"],
            until=data["until_date"],
            item_by_item=data["item_by_item"],
        )
        return Response(RunResultSerializer(result).data)
