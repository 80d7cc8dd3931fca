"""Forms of the production and assembly pages. They check the shape; the services check the
rest and their InvalidInput is shown on the fields it names."""

from __future__ import annotations

from typing import Any

from django import forms

from costing.engine.money import MAX_DIGITS, QUANTITY_PLACES, UNIT_COST_PLACES


def _quantity(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


def _unit_cost(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(max_digits=MAX_DIGITS, decimal_places=UNIT_COST_PLACES, **kwargs)


class ServiceErrorsMixin:
    def add_service_errors(self, detail: dict[str, Any]) -> None:
        """A service's InvalidInput on the fields it names (lines: on the line's fields)."""
        for name, messages in detail.items():
            if isinstance(messages, dict):  # {index: {field: [...]}} of journal lines
                for index, fields in messages.items():
                    for field, texts in fields.items():
                        target = f"{field}_{int(index) + 1}"
                        for text in texts:
                            self.add_error(target if target in self.fields else None, text)
                continue
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                self.add_error(name if name in self.fields else None, str(message))


class ProductionOrderForm(ServiceErrorsMixin, forms.Form):
    no = forms.CharField(label="No.", max_length=20)
    item_no = forms.CharField(label="Item No.", max_length=20)
    quantity = _quantity()
    location_code = forms.CharField(label="Location", max_length=10, required=False)
    description = forms.CharField(max_length=100, required=False)


class FinishForm(ServiceErrorsMixin, forms.Form):
    finished_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Finished on"
    )


class CapacityLineForm(ServiceErrorsMixin, forms.Form):
    """One line of the capacity journal."""

    order_no = forms.CharField(label="Production order no.", max_length=20)
    posting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    work_center = forms.CharField(max_length=20)
    quantity = _quantity(label="Time (quantity)")
    unit_cost = _unit_cost(required=False, help_text="Blank: the work center's unit cost.")
    document_no = forms.CharField(max_length=20, required=False)


COMPONENT_ROWS = 3
RESOURCE_ROWS = 2


class AssemblyOrderForm(ServiceErrorsMixin, forms.Form):
    """An assembly order with up to COMPONENT_ROWS components and RESOURCE_ROWS resources."""

    no = forms.CharField(label="No.", max_length=20)
    item_no = forms.CharField(label="Item No.", max_length=20)
    quantity = _quantity()
    location_code = forms.CharField(label="Location", max_length=10, required=False)
    posting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for n in range(1, COMPONENT_ROWS + 1):
            self.fields[f"component_{n}"] = forms.CharField(
                label=f"Component {n}", max_length=20, required=False
            )
            self.fields[f"component_quantity_{n}"] = _quantity(
                label=f"Component {n} quantity", required=False
            )
        for n in range(1, RESOURCE_ROWS + 1):
            self.fields[f"resource_quantity_{n}"] = _quantity(
                label=f"Resource {n} quantity", required=False
            )
            self.fields[f"resource_unit_cost_{n}"] = _unit_cost(
                label=f"Resource {n} unit cost", required=False
            )

    def components(self) -> list[tuple[str, Any]]:
        data = self.cleaned_data
        return [
            (data[f"component_{n}"], data[f"component_quantity_{n}"])
            for n in range(1, COMPONENT_ROWS + 1)
            if data.get(f"component_{n}")
        ]

    def resources(self) -> list[tuple[Any, Any]]:
        data = self.cleaned_data
        return [
            (data[f"resource_quantity_{n}"], data[f"resource_unit_cost_{n}"])
            for n in range(1, RESOURCE_ROWS + 1)
            if data.get(f"resource_quantity_{n}") is not None
        ]

    def add_service_errors(self, detail: dict[str, Any]) -> None:
        # components/resources errors are keyed by row index (from 0).
        renamed: dict[str, Any] = {}
        for name, messages in detail.items():
            if name in ("components", "resources") and isinstance(messages, dict):
                for index, fields in messages.items():
                    n = int(index) + 1
                    for field, texts in fields.items():
                        if name == "components":
                            key = (
                                f"component_{n}" if field == "item_no" else f"component_{field}_{n}"
                            )
                        else:
                            key = f"resource_{field}_{n}"
                        renamed[key] = texts
            else:
                renamed[name] = messages
        super().add_service_errors(renamed)
