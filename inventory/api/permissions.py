from rest_framework.permissions import SAFE_METHODS, BasePermission

ACCOUNTANT = "accountant"
VIEWER = "viewer"


def has_role(user, *roles: str) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()


class RolePermission(BasePermission):
    """Reads need the viewer (or accountant) role, writes the accountant role (API.md)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return has_role(request.user, VIEWER, ACCOUNTANT)
        return has_role(request.user, ACCOUNTANT)


class SandboxOnly(BasePermission):
    """Actions that rewrite history (import or delete item data) exist only in a sandbox
    (settings.SANDBOX); elsewhere they are refused whatever the role."""

    message = "This action is available only in a sandbox (SANDBOX=true)."

    def has_permission(self, request, view) -> bool:
        from django.conf import settings

        return bool(settings.SANDBOX)
