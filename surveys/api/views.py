"""API v1 of the survey: respondent lists and their flow, invitations, progress, points.

Agency staff reach only their own agency's list (404 for another); officers any. No
endpoint returns a respondent's answers.
"""
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors as campaign_selectors
from cchc_portal.core.api import PointsField
from cchc_portal.core.excel import ImportFailed
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.parsers import JSONParser
from scoring.models import Criterion
from surveys.selectors import access as access_selectors
from surveys.selectors import lists as list_selectors
from surveys.selectors import points as point_selectors
from surveys.services import invitations as invitation_services
from surveys.services import lists as list_services

AGENCY = OpenApiParameter("agency", str, description="Mã đơn vị lập danh sách (cán bộ đơn vị: mặc định đơn vị mình).")


def require_officer(user):
    if not access_selectors.user_is_survey_officer(user):
        raise PermissionDenied("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này.")


def _agency_param(request, campaign, *, data=None, required=True):
    """The agency of ?agency= (or `agency_code` in the body); agency staff default to their
    only agency. 404 for an agency the caller may not see."""
    code = request.query_params.get("agency") or (data or {}).get("agency_code")
    if code:
        return access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    mine = list(access_selectors.list_agencies_for_user(user=request.user, campaign=campaign))
    if not access_selectors.user_is_survey_officer(request.user) and len(mine) == 1:
        return mine[0]
    if not mine:
        raise Http404
    if required:
        raise ApplicationError(_("Thiếu tham số agency (mã đơn vị)."), extra={"errors": {"agency": [_("Bắt buộc.")]}})
    return None


class RespondentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    position = serializers.CharField()
    group_code = serializers.CharField(source="group.code")
    email = serializers.EmailField()
    phone = serializers.CharField()
    status = serializers.SerializerMethodField()
    agency_code = serializers.CharField(source="respondent_list.agency.code")

    def get_status(self, obj) -> str:
        return list_selectors.respondent_status(obj)


class RespondentListApi(APIView):
    @extend_schema_serializer(component_name="RespondentCreate")
    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=200)
        position = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        group_code = serializers.CharField(max_length=40)
        email = serializers.EmailField()
        phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
        agency_code = serializers.CharField(required=False)

    @extend_schema(parameters=[AGENCY], responses=RespondentOutputSerializer(many=True))
    def get(self, request, pk):
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        agency = _agency_param(request, campaign, required=False)
        if agency is not None:
            ids = [agency.pk]
        else:
            ids = list(access_selectors.list_agencies_for_user(user=request.user, campaign=campaign)
                       .values_list("pk", flat=True))
        rows = list_selectors.respondent_rows_for_agencies(campaign=campaign, agency_ids=ids)
        return Response(RespondentOutputSerializer(rows, many=True).data)

    @extend_schema(parameters=[AGENCY], request=InputSerializer, responses={201: RespondentOutputSerializer})
    def post(self, request, pk):
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agency = _agency_param(request, campaign, data=values)
        values.pop("agency_code", None)
        respondent = list_services.respondent_add(campaign=campaign, agency=agency, user=request.user, **values)
        respondent = list_selectors.respondent_rows_for_agencies(campaign=campaign, agency_ids=[agency.pk]).get(
            pk=respondent.pk)
        return Response(RespondentOutputSerializer(respondent).data, status=status.HTTP_201_CREATED)


class RespondentDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk, rid):
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        respondent = access_selectors.respondent_get_for_user(user=request.user, campaign=campaign, pk=rid)
        list_services.respondent_remove(respondent=respondent, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


ImportResultSerializer = inline_serializer("RespondentImportResult", fields={
    "ok": serializers.BooleanField(), "dry_run": serializers.BooleanField(), "created": serializers.IntegerField(),
    "updated": serializers.IntegerField(), "errors": serializers.ListField(child=serializers.DictField()),
})


class RespondentImportApi(APIView):
    """Multipart `file` (.xlsx: full_name, position, group_code, email, phone) and optional
    `dry_run`; 400 with every row error (`errors: [{row, column, message}]`) and nothing
    imported, or 201 with the count."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="RespondentImport")
    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        dry_run = serializers.BooleanField(required=False, default=False)
        agency_code = serializers.CharField(required=False)

    @extend_schema(parameters=[AGENCY], request=InputSerializer,
                   responses={201: ImportResultSerializer, 200: ImportResultSerializer})
    def post(self, request, pk):
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = _agency_param(request, campaign, data=data.validated_data)
        report = list_services.respondent_import(campaign=campaign, agency=agency, file=data.validated_data["file"],
                                                 user=request.user, dry_run=data.validated_data["dry_run"])
        if report.errors:
            raise ImportFailed(report)
        return Response(report.as_dict(), status=status.HTTP_200_OK if report.dry_run else status.HTTP_201_CREATED)


class RespondentListOutputSerializer(serializers.Serializer):
    agency_code = serializers.CharField(source="agency.code")
    status = serializers.CharField()
    comment = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    respondent_count = serializers.SerializerMethodField()

    def get_respondent_count(self, obj) -> int:
        return obj.respondents.count()


class _ListFlowApi(APIView):
    officer_only = False
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def act(self, request, campaign, agency):
        raise PermissionDenied

    def post(self, request, pk, code):
        if self.officer_only:
            require_officer(request.user)
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
        rlist = self.act(request, campaign, agency)
        return Response(RespondentListOutputSerializer(rlist).data)


class RespondentListSendApi(_ListFlowApi):
    """draft | returned → sent (agency staff, by the list deadline; or an officer)."""

    @extend_schema(request=None, responses=RespondentListOutputSerializer)
    def post(self, request, pk, code):
        return super().post(request, pk, code)

    def act(self, request, campaign, agency):
        return list_services.respondent_list_send(campaign=campaign, agency=agency, user=request.user)


class RespondentListApproveApi(_ListFlowApi):
    officer_only = True

    @extend_schema(request=None, responses=RespondentListOutputSerializer)
    def post(self, request, pk, code):
        return super().post(request, pk, code)

    def act(self, request, campaign, agency):
        return list_services.respondent_list_approve(campaign=campaign, agency=agency, user=request.user)


class RespondentListReturnApi(_ListFlowApi):
    officer_only = True

    @extend_schema_serializer(component_name="RespondentListReturn")
    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=RespondentListOutputSerializer)
    def post(self, request, pk, code):
        return super().post(request, pk, code)

    def act(self, request, campaign, agency):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return list_services.respondent_list_return(campaign=campaign, agency=agency, user=request.user,
                                                    comment=data.validated_data["comment"])


class InvitationSendApi(APIView):
    @extend_schema_serializer(component_name="InvitationSendResult")
    class OutputSerializer(serializers.Serializer):
        sent = serializers.IntegerField()
        skipped_closed = serializers.IntegerField()
        waiting = serializers.IntegerField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, pk):
        require_officer(request.user)
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        report = invitation_services.invitations_send(campaign=campaign, user=request.user)
        return Response(self.OutputSerializer(report).data)


class SurveyProgressApi(APIView):
    @extend_schema_serializer(component_name="SurveyProgressRow")
    class OutputSerializer(serializers.Serializer):
        agency_code = serializers.CharField(source="agency.code")
        agency_name = serializers.CharField(source="agency.name")
        group_code = serializers.CharField(source="group.code")
        group_name = serializers.CharField(source="group.name")
        respondents = serializers.IntegerField()
        invited = serializers.IntegerField()
        opened = serializers.IntegerField()
        answered = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk):
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        if access_selectors.user_is_survey_officer(request.user):
            rows = list_selectors.survey_progress(campaign=campaign)
        else:
            ids = list(access_selectors.list_agencies_for_user(user=request.user, campaign=campaign)
                       .values_list("pk", flat=True))
            if not ids:
                raise PermissionDenied("Chỉ cán bộ Sở Nội vụ và đơn vị có danh sách được xem tiến độ.")
            rows = list_selectors.survey_progress(campaign=campaign, agency_ids=ids)
        return Response(self.OutputSerializer(rows, many=True).data)


class SurveyPointsApi(APIView):
    @extend_schema_serializer(component_name="SurveyPointRow")
    class OutputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()
        criterion_code = serializers.CharField()
        max_points = PointsField()
        points = PointsField(allow_null=True)
        answers = serializers.IntegerField()
        respondents = serializers.IntegerField()
        flagged_too_few = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, pk):
        require_officer(request.user)
        campaign = access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)
        raw = point_selectors.survey_points(campaign=campaign)
        codes = dict(campaign_selectors.campaign_agencies(campaign).values_list("pk", "code"))
        crit = dict(Criterion.objects.filter(pk__in={c for _a, c in raw}).values_list("pk", "code"))
        rows = [{"agency_code": codes[aid], "criterion_code": crit[cid], "max_points": sp.max_points,
                 "points": sp.points, "answers": sp.answers, "respondents": sp.respondents,
                 "flagged_too_few": sp.flagged_too_few}
                for (aid, cid), sp in sorted(raw.items(), key=lambda kv: (codes[kv[0][0]], crit[kv[0][1]]))]
        return Response(self.OutputSerializer(rows, many=True).data)
