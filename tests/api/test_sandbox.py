from django.test import override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from inventory.api.permissions import RolePermission, SandboxOnly


class _Wipe(APIView):
    permission_classes = [RolePermission, SandboxOnly]

    def post(self, request):
        return Response({"done": True})



def _call(user):
    request = APIRequestFactory().post("/wipe/")
    force_authenticate(request, user)
    return _Wipe.as_view()(request)


@override_settings(SANDBOX=False)
def test_a_sandbox_only_action_is_refused_outside_a_sandbox(accountant):
    response = _call(accountant.user)
    assert response.status_code == 403
    assert "sandbox" in str(response.data["detail"])


@override_settings(SANDBOX=True)
def test_a_sandbox_only_action_runs_in_a_sandbox_for_an_accountant(accountant, viewer):
    assert _call(accountant.user).status_code == 200
    assert _call(viewer.user).status_code == 403
