"""API v1 for agencies, campaigns, their plans and extensions."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from cchc_portal.core.exceptions import ApplicationError

from .. import selectors, services
from ..models import AgencyGroup, Campaign, Step, StepKind
from ..participants import participant_agencies


class TokenApi(ObtainAuthToken):
    """`{"username", "password"}` → `{"token"}`; failed logins count towards the lockout."""

    permission_classes = [AllowAny]
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own JSON parser

    @extend_schema(
        request=ObtainAuthToken.serializer_class,
        responses={200: inline_serializer("TokenOutput", fields={"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


def require_officer(user):
    if not selectors.user_is_officer(user):
        raise PermissionDenied("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này.")


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        full_name = serializers.CharField(source="display_name")
        email = serializers.EmailField()
        roles = serializers.ListField(child=serializers.CharField())
        agencies = serializers.ListField(child=serializers.DictField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        user = request.user
        memberships = user.memberships.select_related("agency", "agency__group")
        user.roles = sorted(selectors.user_roles(user))
        user.agencies = [
            {"code": m.agency.code, "name": m.agency.name, "group": m.agency.group.code, "role": m.role}
            for m in memberships
        ]
        return Response(self.OutputSerializer(user).data)


class AgencyListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        group = serializers.CharField(source="group.code")
        parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True)
        email = serializers.EmailField()
        active = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        agencies = selectors.agency_list_for_user(user=request.user)
        return Response(self.OutputSerializer(agencies, many=True).data)


class StepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    kind = serializers.CharField()
    owner_code = serializers.CharField(source="owner.code", default=None, allow_null=True)
    agency_groups = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    def get_agency_groups(self, obj) -> list[str]:
        return [g.code for g in obj.groups.all()]

    def get_steps(self, obj) -> list[dict]:
        return StepSerializer(sorted(obj.steps.all(), key=lambda s: s.order), many=True).data


class CampaignListApi(APIView):
    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        name = serializers.CharField(max_length=255)
        agency_groups = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        owner_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        kind = serializers.ChoiceField(choices=Campaign.Kind.choices, default=Campaign.Kind.AGENCIES)
        steps = StepSerializer(many=True, required=False)

        def validate_agency_groups(self, value):
            known = set(AgencyGroup.objects.filter(code__in=value).values_list("code", flat=True))
            missing = [c for c in value if c not in known]
            if missing:
                raise serializers.ValidationError(f"Không có nhóm cơ quan: {', '.join(missing)}.")
            return value

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def get(self, request):
        campaigns = selectors.campaign_list_for_user(user=request.user)
        return Response(CampaignOutputSerializer(campaigns, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CampaignOutputSerializer})
    def post(self, request):
        require_officer(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = None
        if data.validated_data.get("owner_code"):
            owner = selectors.agency_get_for_user(user=request.user, code=data.validated_data["owner_code"])
        campaign = services.campaign_create(
            user=request.user, year=data.validated_data["year"], name=data.validated_data["name"],
            groups=data.validated_data["agency_groups"], steps=data.validated_data.get("steps", []), owner=owner,
            kind=data.validated_data["kind"],
        )
        campaign = selectors.campaign_get_for_user(user=request.user, pk=campaign.pk)
        return Response(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    class OutputSerializer(CampaignOutputSerializer):
        my_deadlines = serializers.SerializerMethodField()

        def get_my_deadlines(self, obj) -> list[dict]:
            """The caller's effective window per step and agency (extensions included)."""
            out = []
            for agency in self.context["agencies"]:
                for kind, w in selectors.agency_windows(agency=agency, campaign=obj).items():
                    out.append({"agency_code": agency.code, "kind": kind, "opens_at": w.opens_at,
                                "closes_at": w.closes_at, "extended": w.extended, "state": w.state()})
            return serializers.ListField(child=serializers.DictField()).to_representation(out)

        def get_steps(self, obj) -> list[dict]:
            steps = super().get_steps(obj)
            agencies = self.context["agencies"]
            if len(agencies) == 1:
                windows = selectors.agency_windows(agency=agencies[0], campaign=obj)
                for s in steps:
                    w = windows.get(s["kind"])
                    s["effective_closes_at"] = serializers.DateTimeField().to_representation(w.closes_at)
                    s["extended"] = w.extended
            return steps

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk):
        campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
        taking_part = set(participant_agencies(campaign).values_list("pk", flat=True))
        agencies = [a for a in selectors.user_agencies(request.user) if a.pk in taking_part]
        return Response(self.OutputSerializer(campaign, context={"agencies": agencies}).data)


class StepUpdateApi(APIView):
    class InputSerializer(serializers.Serializer):
        opens_at = serializers.DateTimeField()
        closes_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=StepSerializer)
    def patch(self, request, pk, kind):
        require_officer(request.user)
        campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
        if kind not in StepKind.values:
            raise ApplicationError(gettext("Bước “%(step)s” không tồn tại.") % {"step": kind}, status=404)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = services.step_set(campaign=campaign, kind=kind, user=request.user, **data.validated_data)
        return Response(StepSerializer(step).data)


class ExtensionApi(APIView):
    class InputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()
        step_kind = serializers.ChoiceField(choices=StepKind.choices)
        closes_at = serializers.DateTimeField()
        reason = serializers.CharField()

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        agency_code = serializers.CharField(source="agency.code")
        step_kind = serializers.CharField(source="step.kind")
        closes_at = serializers.DateTimeField()
        reason = serializers.CharField()
        granted_by = serializers.CharField(source="granted_by.username")
        granted_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk):
        require_officer(request.user)
        campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
        return Response(self.OutputSerializer(selectors.extension_list(campaign=campaign), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk):
        require_officer(request.user)
        campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        step = get_object_or_404(Step, campaign=campaign, kind=v["step_kind"])
        agency = selectors.agency_get_for_user(user=request.user, code=v["agency_code"])
        extension = services.extension_grant(step=step, agency=agency, closes_at=v["closes_at"],
                                             reason=v["reason"], user=request.user)
        return Response(self.OutputSerializer(extension).data, status=status.HTTP_201_CREATED)


