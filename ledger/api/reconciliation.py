"""Inventory - G/L Reconciliation API (spec DOMAIN §12; API.md).

- GET /api/v1/reconciliation/                 the matrix, with its warnings
- GET /api/v1/reconciliation/value-entries/   the value entries behind a cell
- GET /api/v1/reconciliation/gl-entries/      the G/L entries behind a row's G/L Total

All three take date_from, date_to, item_no and location_code.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.api.serializers import ValueEntrySerializer
from inventory.models import Item, Location
from ledger import reconciliation as recon
from ledger.api.serializers import GLEntrySerializer


def _amount(value) -> str:
    return str(value.quantize(recon.CENT))


# -- request -------------------------------------------------------------------------------------


class FilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    item_no = serializers.CharField(required=False, allow_blank=True, default="")
    location_code = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_item_no(self, value: str) -> str:
        if value and not Item.objects.filter(no=value).exists():
            raise serializers.ValidationError(f"Item {value} does not exist.")
        return value

    def validate_location_code(self, value: str) -> str:
        if value and not Location.objects.filter(code=value).exists():
            raise serializers.ValidationError(f"Location {value} does not exist.")
        return value

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": ["The end of the date range is before its start."]}
            )
        return attrs

    def filter(self) -> recon.ReconciliationFilter:
        data = self.validated_data
        return recon.ReconciliationFilter(
            data["date_from"], data["date_to"], data["item_no"], data["location_code"]
        )


class MatrixQuerySerializer(FilterSerializer):
    show_warning = serializers.BooleanField(required=False, default=True)


class CellQuerySerializer(FilterSerializer):
    account_type = serializers.ChoiceField(choices=recon.ACCOUNT_TYPES)
    column = serializers.ChoiceField(choices=(*recon.COLUMNS, recon.TOTAL))


class RowQuerySerializer(FilterSerializer):
    account_type = serializers.ChoiceField(choices=recon.ACCOUNT_TYPES)


def _parse(serializer_class, request: Request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer


# -- response ------------------------------------------------------------------------------------


class ReconciliationWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    message = serializers.CharField()


class ReconciliationRowSerializer(serializers.Serializer):
    account_type = serializers.CharField()
    label = serializers.CharField()
    inventory = serializers.DecimalField(max_digits=20, decimal_places=2)
    inventory_interim = serializers.DecimalField(max_digits=20, decimal_places=2)
    wip_inventory = serializers.DecimalField(max_digits=20, decimal_places=2)
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    gl_total = serializers.DecimalField(max_digits=20, decimal_places=2)
    difference = serializers.DecimalField(max_digits=20, decimal_places=2)
    warning = serializers.CharField(allow_null=True)


class ReconciliationFiltersSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    item_no = serializers.CharField()
    location_code = serializers.CharField()
    show_warning = serializers.BooleanField()


class ReconciliationColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class ReconciliationSerializer(serializers.Serializer):
    filters = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField()
    rows = ReconciliationRowSerializer(many=True)
    warnings = ReconciliationWarningSerializer(many=True)

    @extend_schema_field(ReconciliationFiltersSerializer)
    def get_filters(self, result: recon.Reconciliation) -> dict:
        flt = result.filter
        return {
            "date_from": flt.date_from.isoformat() if flt.date_from else None,
            "date_to": flt.date_to.isoformat() if flt.date_to else None,
            "item_no": flt.item_no,
            "location_code": flt.location_code,
            "show_warning": result.show_warning,
        }

    @extend_schema_field(ReconciliationColumnSerializer(many=True))
    def get_columns(self, result: recon.Reconciliation) -> list[dict[str, str]]:
        return [
            *({"key": key, "label": label} for key, label in recon.COLUMN_LABELS.items()),
            {"key": "total", "label": "Total"},
            {"key": "gl_total", "label": "G/L Total"},
            {"key": "difference", "label": "Difference"},
            {"key": "warning", "label": "Warning"},
        ]


# -- views ---------------------------------------------------------------------------------------

FILTER_PARAMETERS = [
    OpenApiParameter("date_from", str, description="Posting dates from (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="Posting dates up to (YYYY-MM-DD)"),
    OpenApiParameter("item_no", str, description="Only this item"),
    OpenApiParameter("location_code", str, description="Only this location"),
]
ACCOUNT_TYPE = OpenApiParameter(
    "account_type", str, required=True, enum=list(recon.ACCOUNT_TYPES), description="The row"
)
COLUMN = OpenApiParameter(
    "column", str, required=True, enum=[*recon.COLUMNS, recon.TOTAL], description="The column"
)


class ReconciliationApi(APIView):
    """The Inventory - G/L Reconciliation matrix: per account type, what the value entries say
    (Inventory, Inventory (Interim), WIP Inventory, Total), what the G/L holds (G/L Total), the
    Difference, and a warning that says what to do about it."""

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("show_warning", bool, description="Explain differences (default)"),
        ],
        responses={200: ReconciliationSerializer},
    )
    def get(self, request: Request) -> Response:
        query = _parse(MatrixQuerySerializer, request)
        flt = query.filter()
        result = recon.reconciliation_matrix(
            date_from=flt.date_from,
            date_to=flt.date_to,
            item_no=flt.item_no,
            location_code=flt.location_code,
            show_warning=query.validated_data["show_warning"],
        )
        return Response(ReconciliationSerializer(result).data)


class CellValueEntriesApi(generics.ListAPIView):
    """The value entries whose amounts make up one cell of the matrix. `amount` is the cell."""

    serializer_class = ValueEntrySerializer
    filter_backends: list = []

    def get_queryset(self):
        self.query = _parse(CellQuerySerializer, self.request)
        data = self.query.validated_data
        return recon.cell_value_entries(data["account_type"], data["column"], self.query.filter())

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        data = self.query.validated_data
        amount = recon.cell_amount(data["account_type"], data["column"], self.query.filter())
        response.data["amount"] = _amount(amount)
        return response

    @extend_schema(parameters=[ACCOUNT_TYPE, COLUMN, *FILTER_PARAMETERS])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RowGLEntriesApi(generics.ListAPIView):
    """The G/L entries behind a row's G/L Total. `amount` is the G/L Total."""

    serializer_class = GLEntrySerializer
    filter_backends: list = []

    def get_queryset(self):
        self.query = _parse(RowQuerySerializer, self.request)
        return recon.row_gl_entries(self.query.validated_data["account_type"], self.query.filter())

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        amount = recon.row_gl_total(self.query.validated_data["account_type"], self.query.filter())
        response.data["amount"] = _amount(amount)
        return response

    @extend_schema(parameters=[ACCOUNT_TYPE, *FILTER_PARAMETERS])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
