from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger import selectors, services
from ledger.api import serializers as s
from ledger.api.filters import GLEntryFilter
from ledger.models import GeneralPostingSetup, InventoryClose, InventoryPostingSetup
from ledger.services import closing

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


class InventoryCloseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The month-end inventory close (spec §16). POST starts a close or a recalculation on a
    worker (202); …/pre-run/?closing_date= lists what it would meet; …/{id}/warnings/ is the
    close log, …/{id}/settlements/ what it settled; …/{id}/reverse/ reverses the latest close."""

    queryset = InventoryClose.objects.order_by("-id")
    serializer_class = s.InventoryCloseSerializer
    filterset_fields = ["kind", "status"]

    @extend_schema(
        request=s.InventoryCloseRequestSerializer, responses={202: s.InventoryCloseSerializer}
    )
    def create(self, request: Request) -> Response:
        serializer = s.InventoryCloseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        close = closing.inventory_close_start(
            kind=data["kind"], closing_date=data["closing_date"], user=request.user
        )
        close.refresh_from_db()  # in process (no broker) it has run already
        return Response(self.get_serializer(close).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("closing_date", str, required=True)],
        responses={200: s.PreRunSerializer},
    )
    @action(detail=False, methods=["get"], url_path="pre-run")
    def pre_run(self, request: Request) -> Response:
        raw = request.query_params.get("closing_date", "")
        try:
            closing_date = parse_date(raw) if raw else None
        except ValueError:
            closing_date = None
        if raw and closing_date is None:
            raise ValidationError({"closing_date": [f"{raw!r} is not a date (YYYY-MM-DD)."]})
        prerun = closing.inventory_close_prerun(closing_date=closing_date)
        return Response(s.PreRunSerializer(prerun).data)

    @extend_schema(responses={200: s.InventoryCloseWarningSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def warnings(self, request: Request, pk=None) -> Response:
        page = self.paginate_queryset(self.get_object().warnings.order_by("id"))
        return self.get_paginated_response(s.InventoryCloseWarningSerializer(page, many=True).data)

    @extend_schema(responses={200: s.InventoryCloseSettlementSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def settlements(self, request: Request, pk=None) -> Response:
        rows = self.get_object().settlements.select_related("item").order_by("id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            s.InventoryCloseSettlementSerializer(page, many=True).data
        )

    @extend_schema(request=None, responses={200: s.InventoryCloseSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk=None) -> Response:
        close = closing.inventory_close_reverse(close=self.get_object(), user=request.user)
        return Response(self.get_serializer(close).data)
