"""Thin views: validate the shape, call one service or selector, return what it gave."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors, services
from inventory.api import filters
from inventory.api import serializers as s
from inventory.models import (
    AssemblyOrder,
    CapacityLedgerEntry,
    InventoryPeriod,
    InventoryPeriodEntry,
    InventorySetup,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    ValueEntry,
    WorkCenter,
)
from inventory.services import periods
from inventory.services.assembly import (
    AssemblyComponent,
    AssemblyResource,
    assembly_order_post,
)


class InventorySetupApi(generics.GenericAPIView):
    serializer_class = s.InventorySetupSerializer

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(InventorySetup.get()).data)

    def patch(self, request: Request) -> Response:
        serializer = self.get_serializer(InventorySetup.get(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        setup = services.inventory_setup_update(**serializer.validated_data)
        return Response(self.get_serializer(setup).data)


class ItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "no"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["costing_method", "cost_is_adjusted", "excluded_from_cost_adjustment"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.item_list()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return s.ItemUpdateSerializer
        return s.ItemSerializer

    def perform_create(self, serializer):
        item = services.item_create(**serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=item.pk)

    def perform_update(self, serializer):
        item = services.item_update(serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=item.pk)


class LocationViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Location.objects.all()
    serializer_class = s.LocationSerializer
    lookup_field = "code"


class ItemVariantViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = ItemVariant.objects.select_related("item").order_by("item__no", "code")
    serializer_class = s.ItemVariantSerializer
    filterset_fields = ["item__no"]


def _entries_response(entries: list[ItemLedgerEntry]) -> Response:
    by_no = selectors.item_ledger_entry_list().in_bulk([e.entry_no for e in entries])
    data = [s.ItemLedgerEntrySerializer(by_no[e.entry_no]).data for e in entries]
    return Response({"item_ledger_entries": data}, status=status.HTTP_201_CREATED)


class ItemJournalPostApi(APIView):
    @extend_schema(
        request=s.JournalSerializer,
        responses={
            201: inline_serializer(
                "PostedEntries", {"item_ledger_entries": s.ItemLedgerEntrySerializer(many=True)}
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.JournalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [services.JournalLine(**line) for line in serializer.validated_data["lines"]]
        return _entries_response(services.item_journal_post(lines=lines))


_VALUES_RESPONSE = inline_serializer(
    "PostedValues",
    {
        "item_ledger_entry": s.ItemLedgerEntrySerializer(),
        "value_entries": s.ValueEntrySerializer(many=True),
    },
)


def _values_response(entry_no: int, values: list[ValueEntry]) -> Response:
    entry = selectors.item_ledger_entry_list().get(entry_no=entry_no)
    created = ValueEntry.objects.select_related("item").filter(pk__in=[v.pk for v in values])
    return Response(
        {
            "item_ledger_entry": s.ItemLedgerEntrySerializer(entry).data,
            "value_entries": s.ValueEntrySerializer(created, many=True).data,
        },
        status=status.HTTP_201_CREATED,
    )


class ItemLedgerEntryInvoiceApi(APIView):
    @extend_schema(request=s.InvoiceSerializer, responses={201: _VALUES_RESPONSE})
    def post(self, request: Request, entry_no: int) -> Response:
        get_object_or_404(ItemLedgerEntry, entry_no=entry_no)
        serializer = s.InvoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = services.item_ledger_entry_invoice(entry_no=entry_no, **serializer.validated_data)
        return _values_response(entry_no, values)


class ItemChargeApi(APIView):
    @extend_schema(request=s.ItemChargeSerializer, responses={201: _VALUES_RESPONSE})
    def post(self, request: Request, entry_no: int) -> Response:
        get_object_or_404(ItemLedgerEntry, entry_no=entry_no)
        serializer = s.ItemChargeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = services.item_charge_assign(entry_no=entry_no, **serializer.validated_data)
        return _values_response(entry_no, values)


class RevaluationJournalPostApi(APIView):
    @extend_schema(
        request=s.RevaluationJournalSerializer,
        responses={
            201: inline_serializer(
                "PostedRevaluation", {"value_entries": s.ValueEntrySerializer(many=True)}
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.RevaluationJournalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [services.RevaluationLine(**line) for line in serializer.validated_data["lines"]]
        values = services.revaluation_journal_post(lines=lines)
        created = ValueEntry.objects.select_related("item").filter(pk__in=[v.pk for v in values])
        return Response(
            {"value_entries": s.ValueEntrySerializer(created, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class ItemLedgerEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ItemLedgerEntrySerializer
    filterset_class = filters.ItemLedgerEntryFilter
    lookup_field = "entry_no"

    def get_queryset(self):
        return selectors.item_ledger_entry_list()


class ValueEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ValueEntrySerializer
    filterset_class = filters.ValueEntryFilter
    lookup_field = "entry_no"

    def get_queryset(self):
        return selectors.value_entry_list()


class ItemApplicationEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ItemApplicationEntrySerializer
    filterset_class = filters.ItemApplicationEntryFilter
    lookup_field = "entry_no"

    def get_queryset(self):
        return selectors.item_application_entry_list()


# -- production and assembly --------------------------------------------------------------------


class WorkCenterViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = WorkCenter.objects.all()
    serializer_class = s.WorkCenterSerializer
    lookup_field = "code"


class ProductionOrderViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.ProductionOrderSerializer
    lookup_field = "no"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.production_order_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        order = services.production_order_create(
            no=data["no"],
            item_no=data["item"]["no"],
            quantity=data["quantity"],
            location_code=data.get("location_id") or "",
            description=data.get("description", ""),
            status=data.get("status", "released"),
        )
        serializer.instance = self.get_queryset().get(pk=order.pk)

    @extend_schema(request=s.ProductionOrderFinishSerializer, responses=s.ProductionOrderSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, no: str) -> Response:
        get_object_or_404(self.get_queryset(), no=no)
        serializer = s.ProductionOrderFinishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.production_order_finish(no=no, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)


class CapacityJournalPostApi(APIView):
    @extend_schema(
        request=s.CapacityJournalSerializer,
        responses={
            201: inline_serializer(
                "PostedCapacity",
                {"capacity_ledger_entries": s.CapacityLedgerEntrySerializer(many=True)},
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.CapacityJournalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [services.CapacityLine(**line) for line in serializer.validated_data["lines"]]
        entries = services.capacity_journal_post(lines=lines)
        rows = CapacityLedgerEntry.objects.select_related("item").filter(
            pk__in=[e.pk for e in entries]
        )
        return Response(
            {"capacity_ledger_entries": s.CapacityLedgerEntrySerializer(rows, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class CapacityLedgerEntryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CapacityLedgerEntrySerializer
    lookup_field = "entry_no"
    filterset_fields = ["order_type", "order_no"]
    queryset = CapacityLedgerEntry.objects.select_related("item").order_by("entry_no")


class AssemblyOrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = AssemblyOrder.objects.select_related("item").order_by("no")
    serializer_class = s.AssemblyOrderSerializer


class AssemblyOrderPostApi(APIView):
    @extend_schema(
        request=s.AssemblyOrderPostSerializer,
        responses={
            201: inline_serializer(
                "PostedAssembly",
                {
                    "assembly_order": s.AssemblyOrderSerializer(),
                    "item_ledger_entries": s.ItemLedgerEntrySerializer(many=True),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.AssemblyOrderPostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = assembly_order_post(
            no=data["no"],
            item_no=data["item_no"],
            location_code=data["location_code"],
            posting_date=data["posting_date"],
            quantity=data["quantity"],
            components=[AssemblyComponent(**c) for c in data["components"]],
            resources=[AssemblyResource(**r) for r in data["resources"]],
        )
        entries = (
            selectors.item_ledger_entry_list()
            .filter(order_no=order.no)
            .filter(entry_type__in=["assembly_consumption", "assembly_output"])
        )
        return Response(
            {
                "assembly_order": s.AssemblyOrderSerializer(order).data,
                "item_ledger_entries": s.ItemLedgerEntrySerializer(entries, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )


class InventoryPeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Inventory periods (spec §10.1): …/{id}/close-test/ lists what stops a close,
    …/{id}/close/ and …/{id}/reopen/ (the last closed period only) change it, …/{id}/entries/
    is its history."""

    queryset = InventoryPeriod.objects.order_by("ending_date")
    serializer_class = s.InventoryPeriodSerializer
    filterset_fields = ["closed"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = periods.inventory_period_create(
            ending_date=data.get("ending_date"), name=data.get("name", "")
        )

    @extend_schema(responses={200: s.CloseTestSerializer})
    @action(detail=True, methods=["get"], url_path="close-test")
    def close_test(self, request: Request, pk=None) -> Response:
        return Response(
            s.CloseTestSerializer(periods.inventory_period_close_test(self.get_object())).data
        )

    @extend_schema(request=None, responses={200: s.InventoryPeriodSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk=None) -> Response:
        period = periods.inventory_period_close(period=self.get_object(), user=request.user)
        return Response(self.get_serializer(period).data)

    @extend_schema(request=None, responses={200: s.InventoryPeriodSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk=None) -> Response:
        period = periods.inventory_period_reopen(period=self.get_object(), user=request.user)
        return Response(self.get_serializer(period).data)

    @extend_schema(responses={200: s.InventoryPeriodEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def entries(self, request: Request, pk=None) -> Response:
        page = self.paginate_queryset(self.get_object().entries.order_by("entry_no"))
        return self.get_paginated_response(s.InventoryPeriodEntrySerializer(page, many=True).data)


class InventoryPeriodEntryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = InventoryPeriodEntry.objects.order_by("entry_no")
    serializer_class = s.InventoryPeriodEntrySerializer
    filterset_fields = ["period", "entry_type"]
