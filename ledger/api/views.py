from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger import selectors, services
from ledger.api import serializers as s
from ledger.api.filters import GLEntryFilter
from ledger.models import GeneralPostingSetup, InventoryPostingSetup

DATE_TO = OpenApiParameter("date_to", str, description="Balance up to this date (YYYY-MM-DD)")


class GLAccountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.GLAccountSerializer
    lookup_field = "no"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        raw = self.request.query_params.get("date_to")
        try:
            date_to = parse_date(raw) if raw else None
        except ValueError:  # well formed, but no such day (2025-02-30)
            date_to = None
        if raw and date_to is None:
            raise ValidationError({"date_to": [f"{raw!r} is not a date (YYYY-MM-DD)."]})
        return selectors.gl_account_list(date_to)

    @extend_schema(parameters=[DATE_TO])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[DATE_TO])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class GeneralPostingSetupViewSet(viewsets.ModelViewSet):
    queryset = GeneralPostingSetup.objects.all()
    serializer_class = s.GeneralPostingSetupSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["gen_bus_posting_group", "gen_prod_posting_group"]


class InventoryPostingSetupViewSet(viewsets.ModelViewSet):
    queryset = InventoryPostingSetup.objects.all()
    serializer_class = s.InventoryPostingSetupSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["location_code", "inventory_posting_group"]


class GLEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.GLEntrySerializer
    filterset_class = GLEntryFilter
    lookup_field = "entry_no"

    def get_queryset(self):
        return selectors.gl_entry_list()


class PostInventoryCostApi(APIView):
    """Post Inventory Cost to G/L; with post=false, the report of what would be posted."""

    @extend_schema(request=s.PostRequestSerializer, responses={200: s.PostingReportSerializer})
    def post(self, request: Request) -> Response:
        serializer = s.PostRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.inventory_cost_post_to_gl(**serializer.validated_data)
        return Response(s.PostingReportSerializer(report).data)


class PostInventoryCostTestApi(APIView):
    """The test report: every entry that would be skipped, and why, before posting."""

    @extend_schema(responses={200: s.PostingReportSerializer})
    def get(self, request: Request) -> Response:
        report = services.inventory_cost_post_to_gl(post_method="per_entry", post=False)
        return Response(s.PostingReportSerializer(report).data)
