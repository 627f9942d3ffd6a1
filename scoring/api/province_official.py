"""API v1 of the Ministry's official result of the province's own index: the officer imports
it (multipart `file`, columns code, points, note; 400 naming every bad row, nothing stored)
and reads self against official per item, with the same item in earlier years; and the Sở's
draft report (what the PDF and .docx say) as data."""
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.selectors import user_is_officer
from cchc_portal.core.api import PointsField
from cchc_portal.core.excel import ImportFailed
from cchc_portal.core.exceptions import ApplicationError
from scoring.selectors.province import province_campaign_get_for_user
from scoring.selectors.province_official import official_comparison
from scoring.selectors.province_report import province_report
from scoring.services.province_official import official_result_import


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    self_points = PointsField(allow_null=True)
    official_points = PointsField(allow_null=True)


class OfficialRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="item.criterion.title")
    max_points = PointsField(source="item.criterion.max_points")
    self_points = PointsField(allow_null=True)
    official_points = PointsField(allow_null=True)
    difference = PointsField(allow_null=True)
    note = serializers.CharField(source="official.note", default="")
    previous_years = serializers.SerializerMethodField()

    @extend_schema_field(YearSerializer(many=True))
    def get_previous_years(self, obj) -> list[dict]:
        return YearSerializer(sorted(obj.history.values(), key=lambda y: -y.year), many=True).data


class ProvinceOfficialApi(APIView):
    """GET: per item `{code, title, max_points, self_points, official_points, difference
    (official − self), note, previous_years: [{year, self_points, official_points}]}`.
    POST (multipart `file`): import → 201 `{ok, created, updated, errors: [], rows: [...]}`."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(use_url=False)

    def _campaign(self, request, pk):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        if not user_is_officer(request.user):
            raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được xem và nhập kết quả chính thức."), status=403)
        return campaign, assessment

    @extend_schema(responses=OfficialRowSerializer(many=True))
    def get(self, request, pk):
        _campaign, assessment = self._campaign(request, pk)
        return Response(OfficialRowSerializer(official_comparison(assessment=assessment).rows, many=True).data)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: inline_serializer(
        "OfficialResultImport", fields={"ok": serializers.BooleanField(), "created": serializers.IntegerField(),
                                        "updated": serializers.IntegerField(),
                                        "errors": serializers.ListField(child=serializers.DictField()),
                                        "rows": serializers.ListField(child=serializers.DictField())})})
    def post(self, request, pk):
        campaign, assessment = self._campaign(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = official_result_import(campaign=campaign, assessment=assessment, file=data.validated_data["file"],
                                        user=request.user)
        if not report.ok:
            raise ImportFailed(report)
        return Response(report.as_dict(), status=201)


class ReportFieldSerializer(serializers.Serializer):
    code = serializers.CharField(source="criterion.code")
    title = serializers.CharField(source="criterion.title")
    max_points = PointsField(source="criterion.max_points")
    self_points = PointsField(allow_null=True)
    last_official = PointsField(allow_null=True)
    difference = PointsField(allow_null=True)


class ReportLostSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.criterion.code")
    title = serializers.CharField(source="item.criterion.title")
    max_points = PointsField(source="item.criterion.max_points")
    self_points = PointsField(source="item.self_points", allow_null=True)
    lost = PointsField()
    explanation = serializers.CharField(source="item.explanation")
    review_comment = serializers.CharField(source="item.review_comment")


class ReportLowerSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.criterion.code")
    title = serializers.CharField(source="item.criterion.title")
    last_official = PointsField()
    self_points = PointsField(source="row.self_points", allow_null=True)
    difference = PointsField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="campaign.year")
    title = serializers.CharField()
    last_year = serializers.IntegerField(allow_null=True)
    max_total = PointsField()
    self_total = PointsField(allow_null=True)
    last_official_total = PointsField(allow_null=True)
    difference = PointsField(allow_null=True)
    index = PointsField(allow_null=True)
    fields = ReportFieldSerializer(many=True)
    lost = ReportLostSerializer(many=True)
    lower = ReportLowerSerializer(many=True)


class ProvinceReportApi(APIView):
    """GET (officer): the draft report's content, `{year, title, last_year, max_total,
    self_total, last_official_total, difference, index, fields: [...], lost: [...], lower: [...]}`;
    the PDF and .docx are the pages' downloads."""

    @extend_schema(responses=ReportSerializer)
    def get(self, request, pk):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        if not user_is_officer(request.user):
            raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được xem dự thảo báo cáo của tỉnh."), status=403)
        return Response(ReportSerializer(province_report(campaign=campaign, assessment=assessment)).data)


urlpatterns = [
    path("campaigns/<int:pk>/province/official/", ProvinceOfficialApi.as_view(), name="api-province-official"),
    path("campaigns/<int:pk>/province/report/", ProvinceReportApi.as_view(), name="api-province-report"),
]
