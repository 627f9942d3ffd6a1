"""API v1 for focal officers: the contact list (officers) and one agency's (its members, officers)."""
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors as campaign_selectors
from campaigns.models import FocalRole

from . import selectors, services


class FocalOfficerSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=FocalRole.choices)
    full_name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


def _officers(officers: dict) -> list[dict]:
    return [FocalOfficerSerializer(officers[r.value]).data for r in FocalRole if r.value in officers]


class FocalContactListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()
        agency_name = serializers.CharField()
        missing = serializers.ListField(child=serializers.CharField())
        officers = FocalOfficerSerializer(many=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk):
        campaign = campaign_selectors.campaign_get_for_user(user=request.user, pk=pk)
        if not campaign_selectors.user_is_officer(request.user):
            raise PermissionDenied(gettext("Chỉ cán bộ Sở Nội vụ được xem danh sách cán bộ đầu mối."))
        rows = selectors.focal_contact_rows(campaign=campaign)
        return Response([{"agency_code": r.agency.code, "agency_name": r.agency.name,
                          "missing": [m.value for m in r.missing], "officers": _officers(r.officers)} for r in rows])


class FocalAgencyApi(APIView):
    class InputSerializer(serializers.Serializer):
        officers = FocalOfficerSerializer(many=True)

    class OutputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()
        missing = serializers.ListField(child=serializers.CharField())
        officers = FocalOfficerSerializer(many=True)

    def _load(self, request, pk, agency_code):
        campaign = campaign_selectors.campaign_get_for_user(user=request.user, pk=pk)
        return campaign, selectors.focal_agency_get_for_user(user=request.user, campaign=campaign, code=agency_code)

    def _answer(self, campaign, agency):
        officers = selectors.focal_officers_of(campaign=campaign, agency=agency)
        return Response({"agency_code": agency.code, "missing": [m.value for m in selectors.missing_roles(officers)],
                         "officers": _officers(officers)})

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk, agency_code):
        return self._answer(*self._load(request, pk, agency_code))

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request, pk, agency_code):
        """The whole list: scoring and survey required, IT optional (left out: removed)."""
        campaign, agency = self._load(request, pk, agency_code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entries = {o["role"]: o for o in data.validated_data["officers"]}
        services.focal_officers_save(campaign=campaign, agency=agency, entries=entries, user=request.user)
        return self._answer(campaign, agency)
