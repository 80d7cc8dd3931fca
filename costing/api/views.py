from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from costing import selectors, services
from costing.api.serializers import (
    AdjmtOrderSerializer,
    BatchSerializer,
    EntryNosSerializer,
    ItemFilterSerializer,
    ItemLogSerializer,
    OrdersRequestSerializer,
    OrdersRunResultSerializer,
    RunLogSerializer,
    RunRequestSerializer,
    RunResultSerializer,
    TraceEventSerializer,
)
from costing.models import CostAdjustmentItemBatch, CostAdjustmentRun, TraceEvent
from costing.services import batches
from costing.services.applications import application_entries_reset_outbound_updated
from costing.services.orders import orders_adjust_selected, orders_reset_cost_is_adjusted
from inventory.errors import InvalidInput
from inventory.models import Item, ItemApplicationEntry, ItemLedgerEntry


class CostAdjustmentRunApi(APIView):
    """Adjust cost now, for the items of the filter that need it; returns the run log."""

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


class BatchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cost Adjustment - Item Batches."""

    queryset = CostAdjustmentItemBatch.objects.prefetch_related("splits").order_by("id")
    serializer_class = BatchSerializer
    filterset_fields = ["status", "split_from"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = batches.batch_add(
            item_filter=data.get("item_filter"),
            item_nos=data.get("item_nos"),
            timeout_minutes=data.get("timeout_minutes", 60),
            max_retry_attempts=data.get("max_retry_attempts", 10),
            trace=data.get("trace", False),
        )

    def _done(self, batch: CostAdjustmentItemBatch, code: int = 200) -> Response:
        batch.refresh_from_db()
        return Response(self.get_serializer(batch).data, status=code)

    @extend_schema(request=None, responses={202: BatchSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk=None) -> Response:
        """Queue the batch for a worker (in-process when no broker is configured)."""
        batch = self.get_object()
        with transaction.atomic():
            batches.batch_queue(batch)
        return self._done(batch, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        batches.batch_cancel(batch)
        return self._done(batch)

    @extend_schema(request=None, responses={200: BatchSerializer})
    @action(detail=True, methods=["post"])
    def reset(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        batches.batch_reset(batch)
        return self._done(batch)

    @extend_schema(request=None, responses={202: None})
    @action(detail=False, methods=["post"], url_path="run-all")
    def run_all(self, request: Request) -> Response:
        with transaction.atomic():
            queued = batches.batches_run_all()
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"])
    def stop(self, request: Request) -> Response:
        return Response({"canceled": batches.batches_stop()})

    @extend_schema(request=BatchSerializer, responses={201: BatchSerializer})
    @action(detail=False, methods=["post"], url_path="add-missing-items")
    def add_missing_items(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = batches.batch_add_missing_items(
            timeout_minutes=data.get("timeout_minutes", 60),
            max_retry_attempts=data.get("max_retry_attempts", 10),
            trace=data.get("trace", False),
        )
        if batch is None:
            return Response({"detail": "Every item is in a batch already."})
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)


class RunLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Log per run; …/runs/{id}/items/ is the log per item."""

    queryset = CostAdjustmentRun.objects.all()
    serializer_class = RunLogSerializer
    filterset_fields = ["status", "batch"]

    @extend_schema(responses={200: ItemLogSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def items(self, request: Request, pk=None) -> Response:
        run = self.get_object()
        page = self.paginate_queryset(run.item_logs.all())
        return self.get_paginated_response(ItemLogSerializer(page, many=True).data)


class TraceEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TraceEvent.objects.all()
    serializer_class = TraceEventSerializer
    filterset_fields = ["event", "item_no", "location_code"]

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=["event", "item", "location"])],
        responses={200: None},
    )
    @action(detail=False, methods=["get"])
    def analysis(self, request: Request) -> Response:
        by = request.query_params.get("by", "event")
        if by not in ("event", "item", "location"):
            raise ValidationError({"by": ["Choose event, item or location."]})
        return Response({"by": by, "rows": selectors.trace_analysis(by)})


class ItemExclusionApi(APIView):
    """Exclude an item from cost adjustment, or include it again (spec §13)."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, no: str, excluded: bool) -> Response:
        item = get_object_or_404(Item, no=no)
        excluded = services.item_exclusion_set(item=item, excluded=excluded)
        return Response({"item_no": item.no, "excluded_from_cost_adjustment": excluded})


# -- orders ---------------------------------------------------------------------------------------


class AdjmtOrderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Cost Adjmt. Orders (Inventory Adjmt. Entry (Order)): ?cost_is_adjusted=false lists the
    orders that need adjustment."""

    serializer_class = AdjmtOrderSerializer
    filterset_fields = ["order_type", "cost_is_adjusted"]

    def get_queryset(self):
        from inventory.models import InventoryAdjmtEntryOrder

        return InventoryAdjmtEntryOrder.objects.select_related("item").order_by(
            "order_type", "order_no"
        )


class AdjustSelectedOrdersApi(APIView):
    """Adjust Cost for Selected Orders: those orders now, then what their adjustment causes."""

    @extend_schema(request=OrdersRequestSerializer, responses={200: OrdersRunResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = OrdersRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        keys = [(o["order_type"], o["order_no"]) for o in serializer.validated_data["orders"]]
        result = orders_adjust_selected(order_keys=keys)
        return Response(OrdersRunResultSerializer(result).data)


class ResetOrdersApi(APIView):
    """Reset Cost Is Adjusted for these orders: the next run adjusts them again."""

    @extend_schema(request=OrdersRequestSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        serializer = OrdersRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        keys = [(o["order_type"], o["order_no"]) for o in serializer.validated_data["orders"]]
        return Response({"reset": orders_reset_cost_is_adjusted(order_keys=keys)})


class ResetCostIsAdjustedApi(APIView):
    """Reset Cost Is Adjusted: the items of the filter need adjustment again, every average
    period included (spec §13, Diagnostics)."""

    @extend_schema(request=ItemFilterSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        body = ItemFilterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.reset_cost_is_adjusted(item_filter=body.validated_data["item_filter"])
        return Response({"items": count})


def _entry_nos(request: Request, model, *, what: str, **required) -> list[int]:
    body = EntryNosSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    nos = body.validated_data["entry_nos"]
    found = set(model.objects.filter(pk__in=nos, **required).values_list("pk", flat=True))
    wrong = [no for no in nos if no not in found]
    if wrong:
        raise InvalidInput.on("entry_nos", f"Not {what}: {', '.join(str(n) for n in wrong[:20])}.")
    return nos


class MarkForAdjustmentApi(APIView):
    """Mark for Adjustment: re-adjust everything linked, directly or not, to these inbound
    item ledger entries."""

    @extend_schema(request=EntryNosSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        nos = _entry_nos(
            request, ItemLedgerEntry, what="inbound item ledger entries", positive=True
        )
        return Response({"marked": services.mark_for_adjustment(entry_nos=nos)})


class ResetOutboundEntryIsUpdatedApi(APIView):
    """Reset Outbound Entry is Updated on these item application entries (used together with
    Mark for Adjustment)."""

    @extend_schema(request=EntryNosSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        nos = _entry_nos(request, ItemApplicationEntry, what="item application entries")
        return Response({"reset": application_entries_reset_outbound_updated(nos)})
