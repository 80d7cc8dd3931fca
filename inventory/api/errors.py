"""Every error is a 400 that names the field and the reason (API.md); never a 500 for input."""

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from inventory.errors import InvalidInput


def exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        exc = ValidationError(exc.detail)
    return drf_exception_handler(exc, context)
