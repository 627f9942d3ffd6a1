"""API v1 of the self-assessment (../shared/API.md): open a campaign, list and read
assessments, PATCH an item with its version, upload and link evidence, and the agency's
flow (send to leader, approve, return). Points travel as strings with 2 decimals.
"""
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.selectors import campaign_get_for_user, campaign_list_with_counts, user_is_officer
from cchc_portal.core.api import PointsField
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.utils import points_str
from evidence.api.views import DocumentOutputSerializer, MetadataSerializer
from scoring.criteria_excel import code_key
from scoring.models import Item
from scoring.selectors.assessments import (
    assessment_get_for_user,
    assessment_indexes,
    assessment_list_for_user,
)
from scoring.selectors.progress import (
    STAGES,
    assessment_progress,
    campaign_status_counts,
    stage_label,
    stage_rows,
    stages_of,
    with_stage,
)
from scoring.services import assessments as services


def _int_param(value, name):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("Tham số “%(name)s” phải là số.") % {"name": name},
            extra={"errors": {name: [_("Phải là số.")]}}) from exc


class CampaignOpenApi(APIView):
    """Officers open a campaign: draft → open, criteria sets locked, one assessment per agency."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="campaign.id")
        status = serializers.CharField(source="campaign.status")
        assessments_created = serializers.IntegerField(source="created")
        items_created = serializers.IntegerField()
        missing_agencies = serializers.ListField(child=serializers.CharField(), source="missing_codes",
                                                 help_text="Đơn vị chưa có bộ tiêu chí của nhóm")

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request, pk):
        if not user_is_officer(request.user):
            raise PermissionDenied(_("Chỉ cán bộ Sở Nội vụ được mở đợt đánh giá."))
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        result = services.campaign_open_with_assessments(campaign=campaign, user=request.user)
        return Response(self.OutputSerializer(result).data)


class AssessmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    group = serializers.CharField(source="agency.group.code")
    status = serializers.CharField()
    total = PointsField(source="self_total")
    max_points = PointsField(source="applicable_max", allow_null=True)
    index = PointsField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    appraised_total = PointsField(allow_null=True)
    stage = serializers.ChoiceField(choices=STAGES, help_text="Trạng thái như các trang hiển thị: `not_started` là "
                                    "bản nháp đơn vị chưa chấm tiêu chí nào (Chưa bắt đầu); còn lại như `status`.")
    stage_label = serializers.SerializerMethodField()

    def get_stage_label(self, obj) -> str:
        return stage_label(obj.stage)


def _with_indexes(assessments):
    assessments = list(assessments)
    indexes = assessment_indexes(assessments)
    stages = stages_of(assessments)
    for a in assessments:
        a.applicable_max, a.index = indexes.get(a.pk, (None, None))
        a.stage = stages.get(a.pk, a.status)
    return assessments


class AssessmentListApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("campaign", int, description="id đợt đánh giá"),
                               OpenApiParameter("status", str),
                               OpenApiParameter("stage", str, enum=list(STAGES),
                                                description="Trạng thái như các trang hiển thị")],
                   responses=AssessmentOutputSerializer(many=True))
    def get(self, request):
        qs = assessment_list_for_user(user=request.user)
        if request.query_params.get("campaign"):
            qs = qs.filter(campaign_id=_int_param(request.query_params["campaign"], "campaign"))
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        if request.query_params.get("stage"):
            qs = with_stage(qs).filter(stage=request.query_params["stage"])
        return Response(AssessmentOutputSerializer(_with_indexes(qs), many=True).data)


class ItemOutputSerializer(serializers.Serializer):
    code = serializers.CharField(source="criterion.code")
    title = serializers.CharField(source="criterion.title")
    rule = serializers.CharField(source="criterion.rule")
    max_points = PointsField(source="criterion.max_points")
    evidence_required = serializers.BooleanField(source="criterion.evidence_required")
    input = serializers.JSONField()
    explanation = serializers.CharField()
    evidence_ids = serializers.SerializerMethodField()
    self_points = PointsField(allow_null=True)
    reason = serializers.CharField(source="self_reason")
    appraised_points = PointsField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_evidence_ids(self, obj) -> list[int]:
        return sorted(d.pk for d in obj.documents.all())


class ProgressSerializer(serializers.Serializer):
    scored = serializers.IntegerField(source="done", help_text="Tiêu chí đơn vị tự chấm đã có số liệu")
    total = serializers.IntegerField(help_text="Tiêu chí áp dụng mà đơn vị tự chấm")
    province_items = serializers.ListField(child=serializers.CharField(), source="province_codes",
                                           help_text="Tiêu chí do Sở Nội vụ điền (điều tra XHH, số liệu nhập)")


class AssessmentDetailApi(APIView):
    class OutputSerializer(AssessmentOutputSerializer):
        progress = ProgressSerializer()
        items = ItemOutputSerializer(many=True, source="item_rows")

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk):
        assessment = _with_indexes([assessment_get_for_user(user=request.user, pk=pk)])[0]
        assessment.progress = assessment_progress(assessment=assessment, for_agency=True)
        assessment.item_rows = sorted(
            Item.objects.filter(assessment=assessment).select_related("criterion").prefetch_related("documents"),
            key=lambda i: code_key(i.criterion.code),
        )
        return Response(self.OutputSerializer(assessment).data)


class ItemUpdateApi(APIView):
    class InputSerializer(serializers.Serializer):
        input = serializers.JSONField(required=False, allow_null=True,
                                      help_text='manual/bonus/penalty/imported {"score": "1.5"}; levels {"level": '
                                                '"Trễ hạn"}; bands/ratio {"numerator": 9, "denominator": 10}; '
                                                'deduction {"count": 2}; {} clears')
        explanation = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=10000,
                                            trim_whitespace=False)
        version = serializers.IntegerField(min_value=1)

    class OutputSerializer(ItemOutputSerializer):
        total = serializers.SerializerMethodField()

        def get_total(self, obj) -> str:
            return points_str(obj.tree_result.total)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, pk, code):
        assessment = assessment_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = services.item_update(assessment=assessment, code=code, input=v.get("input"),
                                    explanation=v.get("explanation"), version=v["version"], user=request.user)
        return Response(self.OutputSerializer(item).data)


class EvidenceUploadApi(APIView):
    """Multipart: `file` (one or several), `items` (codes, repeated or comma-separated),
    `number`, `issued_on` (ISO or dd/mm/yyyy), `issuer`, `summary` → 201 with the documents."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(MetadataSerializer):
        file = serializers.ListField(child=serializers.FileField(use_url=False), allow_empty=False)
        items = serializers.ListField(child=serializers.CharField(), required=False)

    class OutputSerializer(DocumentOutputSerializer):
        created = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={201: inline_serializer("EvidenceUploaded", fields={
        "documents": OutputSerializer(many=True), "items": serializers.ListField(child=serializers.CharField())})})
    def post(self, request, pk):
        assessment = assessment_get_for_user(user=request.user, pk=pk)
        payload = {key: request.data.get(key) for key in ("number", "issued_on", "issuer", "summary")
                   if request.data.get(key) not in (None, "")}
        payload["file"] = request.FILES.getlist("file")
        codes = []
        for value in request.data.getlist("items") if hasattr(request.data, "getlist") else []:
            codes += [c.strip() for c in str(value).split(",") if c.strip()]
        data = self.InputSerializer(data=payload)
        if not data.is_valid():
            errors = data.errors
            detail = _("Hãy gửi ít nhất một tệp (trường “file”).") if "file" in errors else _("Dữ liệu không hợp lệ.")
            if "issued_on" in errors:
                detail = _("Ngày ban hành phải có dạng dd/mm/yyyy hoặc yyyy-mm-dd.")
            raise ApplicationError(detail, extra={"errors": errors})
        v = dict(data.validated_data)
        files = v.pop("file")
        results = services.assessment_evidence_upload(assessment=assessment, files=files, codes=codes,
                                                      user=request.user, **v)
        documents = []
        for document, created in results:
            document.created = created
            documents.append(document)
        return Response({"documents": self.OutputSerializer(documents, many=True).data, "items": codes},
                        status=status.HTTP_201_CREATED)


class _FlowApi(APIView):
    @extend_schema(request=None, responses=AssessmentOutputSerializer)
    def post(self, request, pk):
        assessment = assessment_get_for_user(user=request.user, pk=pk)
        assessment = self.act(assessment, request)
        return Response(AssessmentOutputSerializer(_with_indexes([assessment])[0]).data)


class SendToLeaderApi(_FlowApi):
    def act(self, assessment, request):
        return services.assessment_send_to_leader(assessment=assessment, user=request.user)


class ApproveApi(_FlowApi):
    def act(self, assessment, request):
        return services.assessment_approve(assessment=assessment, user=request.user)


class ReturnApi(_FlowApi):
    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(max_length=5000)

    @extend_schema(request=InputSerializer, responses=AssessmentOutputSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def act(self, assessment, request):
        data = self.InputSerializer(data=request.data)
        if not data.is_valid():
            raise ApplicationError(_("Cần ghi ý kiến khi trả lại."), extra={"errors": data.errors})
        return services.assessment_return(assessment=assessment, user=request.user,
                                          comment=data.validated_data["comment"])


class CampaignProgressApi(APIView):
    """Officers: where the campaign's agencies stand, counted as the home page and the board count."""

    @extend_schema_serializer(component_name="CampaignProgress")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="CampaignProgressStage")
        class StageSerializer(serializers.Serializer):
            code = serializers.CharField()
            label = serializers.CharField()
            count = serializers.IntegerField()

        agencies = serializers.IntegerField(source="agency_total")
        extensions = serializers.IntegerField(source="extension_total")
        stages = StageSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk):
        campaign_get_for_user(user=request.user, pk=pk)
        if not user_is_officer(request.user):
            raise PermissionDenied(_("Chỉ cán bộ Sở Nội vụ được xem tình hình chấm điểm."))
        campaign = campaign_list_with_counts(user=request.user).get(pk=pk)
        campaign.stages = [{"code": code, "label": label, "count": n}
                           for code, label, n in stage_rows(campaign_status_counts(campaign=campaign))]
        return Response(self.OutputSerializer(campaign).data)


urlpatterns = [
    path("campaigns/<int:pk>/open/", CampaignOpenApi.as_view(), name="api-campaign-open"),
    path("campaigns/<int:pk>/progress/", CampaignProgressApi.as_view(), name="api-campaign-progress"),
    path("assessments/", AssessmentListApi.as_view(), name="api-assessments"),
    path("assessments/<int:pk>/", AssessmentDetailApi.as_view(), name="api-assessment"),
    path("assessments/<int:pk>/items/<str:code>/", ItemUpdateApi.as_view(), name="api-assessment-item"),
    path("assessments/<int:pk>/evidence/", EvidenceUploadApi.as_view(), name="api-assessment-evidence"),
    path("assessments/<int:pk>/send-to-leader/", SendToLeaderApi.as_view(), name="api-assessment-send"),
    path("assessments/<int:pk>/approve/", ApproveApi.as_view(), name="api-assessment-approve"),
    path("assessments/<int:pk>/return/", ReturnApi.as_view(), name="api-assessment-return"),
]
