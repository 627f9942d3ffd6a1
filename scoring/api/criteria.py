"""API v1 of criteria sets: the tree, its validation, Excel import and export."""
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_user, user_is_officer, user_is_province_staff
from cchc_portal.core.api import PointsField
from cchc_portal.core.excel import ImportFailed
from cchc_portal.core.exceptions import ApplicationError
from scoring.selectors.criteria import (
    criteria_set_get_for_user_by_group,
    criteria_set_problems,
    criteria_totals,
    criteria_tree,
    default_group_for_user,
)
from scoring.services.criteria_copy import criteria_export, criteria_import

GROUP = OpenApiParameter("group", str, description="Mã nhóm cơ quan: department, district, commune...")


def require_officer(user):
    if not user_is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này."))


def _group_param(request, campaign, *, data=None):
    group = (data or {}).get("group") or request.query_params.get("group")
    if group:
        return group
    default = default_group_for_user(user=request.user, campaign=campaign)
    if default is None:
        raise ApplicationError(
            _("Thiếu tham số group (mã nhóm cơ quan)."),
            extra={"errors": {"group": [_("Bắt buộc.")]}})
    return default.code


def _set_for(request, pk):
    """The set of ?group= in campaign pk (by default the group of the caller's agency), or 404
    for a campaign or set the caller may not see."""
    group = request.query_params.get("group")
    if not group:
        campaign = Campaign.objects.filter(pk=pk).first()
        default = default_group_for_user(user=request.user, campaign=campaign) if campaign else None
        if default is None:
            if campaign is not None and user_is_province_staff(request.user):
                raise ApplicationError(_("Thiếu tham số group (mã nhóm cơ quan)."),
                                       extra={"errors": {"group": [_("Bắt buộc.")]}})
            raise Http404
        group = default.code
    return criteria_set_get_for_user_by_group(user=request.user, campaign_id=pk, group=group)


class CriterionOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    max_points = PointsField()
    rule = serializers.CharField()
    rule_params = serializers.CharField(source="params_text")
    evidence_required = serializers.BooleanField()
    guidance = serializers.CharField()
    parent_code = serializers.CharField(allow_null=True)
    not_applicable_to = serializers.ListField(child=serializers.CharField(), source="na_codes")
    capped = serializers.BooleanField()
    responsible_agency = serializers.CharField(source="responsible_agency.code", default=None, allow_null=True)
    previous_code = serializers.CharField(source="previous.code", default=None, allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parent_code"] = data["parent_code"] or None
        return data


class CriteriaListApi(APIView):
    """The criteria tree of one agency group, in tree order (1, 1.1, 1.1.1, 1.2, ..., 2)."""

    @extend_schema(parameters=[GROUP], responses=CriterionOutputSerializer(many=True))
    def get(self, request, pk):
        criteria_set = _set_for(request, pk)
        tree = criteria_tree(criteria_set=criteria_set)
        return Response(CriterionOutputSerializer(tree, many=True).data)


class CriteriaValidateApi(APIView):
    """Every problem of the set at once (officers)."""

    class OutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField()
        group = serializers.CharField()
        locked = serializers.BooleanField()
        max_points = PointsField()
        leaves = serializers.IntegerField()
        problems = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "CriteriaValidation"

    def _validate(self, request, pk):
        require_officer(request.user)
        criteria_set = _set_for(request, pk)
        tree = criteria_tree(criteria_set=criteria_set)
        problems = criteria_set_problems(criteria_set=criteria_set, criteria=tree)
        totals = criteria_totals(criteria=tree)
        data = {
            "ok": not problems, "group": criteria_set.group.code, "locked": criteria_set.locked_at is not None,
            "max_points": totals["max_points"], "leaves": totals["leaves"],
            "problems": [{"code": p.code, "message": p.message} for p in problems],
        }
        return Response(self.OutputSerializer(data).data)

    @extend_schema(parameters=[GROUP], responses=OutputSerializer)
    def get(self, request, pk):
        return self._validate(request, pk)

    @extend_schema(parameters=[GROUP], request=None, responses=OutputSerializer)
    def post(self, request, pk):
        return self._validate(request, pk)


class CriteriaImportApi(APIView):
    """Import an .xlsx (the columns of import_criteria) into the set of `group` (officers).

    `dry_run` only checks. On any error: 400 with `errors: [{row, column, message}]` and
    nothing imported. A locked set answers 409 unless `reason` is given (an amendment).
    """

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        group = serializers.CharField(required=False)
        dry_run = serializers.BooleanField(required=False, default=False)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "CriteriaImportInput"

    @extend_schema(
        parameters=[GROUP],
        request={"multipart/form-data": InputSerializer},
        responses={200: inline_serializer("CriteriaImportReport", fields={
            "ok": serializers.BooleanField(), "dry_run": serializers.BooleanField(),
            "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
            "deleted": serializers.IntegerField(), "unchanged": serializers.IntegerField(),
            "locked": serializers.BooleanField(), "codes": serializers.DictField(),
            "errors": serializers.ListField(child=serializers.DictField()),
        })},
    )
    def post(self, request, pk):
        require_officer(request.user)
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = _group_param(request, campaign, data=values)
        report = criteria_import(campaign=campaign, group=group, file=values["file"], user=request.user,
                                 dry_run=values["dry_run"], reason=values["reason"] or None)
        if not report.ok:
            raise ImportFailed(report)
        body = report.as_dict()
        body["criteria_set_id"] = report.criteria_set.pk if report.criteria_set else None
        return Response(body)


class CriteriaExportApi(APIView):
    """The set as .xlsx, the format of the import (anyone who may see the set)."""

    @extend_schema(parameters=[GROUP], responses={(200, "application/vnd.openxmlformats-officedocument."
                                                        "spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        criteria_set = _set_for(request, pk)
        response = HttpResponse(
            criteria_export(criteria_set=criteria_set),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"bo-tieu-chi-{criteria_set.campaign.year}-{criteria_set.group.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


urlpatterns = [
    path("campaigns/<int:pk>/criteria/", CriteriaListApi.as_view(), name="api-criteria"),
    path("campaigns/<int:pk>/criteria/validate/", CriteriaValidateApi.as_view(), name="api-criteria-validate"),
    path("campaigns/<int:pk>/criteria/import/", CriteriaImportApi.as_view(), name="api-criteria-import"),
    path("campaigns/<int:pk>/criteria/export/", CriteriaExportApi.as_view(), name="api-criteria-export"),
]
