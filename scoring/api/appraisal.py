"""API v1 of the appraisal: assignments, an item's appraisal, explanation requests and answers,
finalisation and reopening. Points are strings with 2 decimals."""
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import User
from campaigns.selectors import campaign_get_for_user, user_is_officer, user_is_province_staff
from cchc_portal.core.api import PointsField
from cchc_portal.core.exceptions import ApplicationError
from scoring.models import Item
from scoring.selectors import appraisal as sel
from scoring.selectors.progress import appraiser_progress, assessment_appraisal_progress
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc


def _item(assessment, code) -> Item:
    item = (Item.objects.select_related("criterion", "appraised_by")
            .filter(assessment=assessment, criterion__code=code).first())
    if item is None:
        raise Http404
    item.assessment = assessment
    return item


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="appraiser.username")
    full_name = serializers.CharField(source="appraiser.display_name")
    codes = serializers.ListField(child=serializers.CharField())
    group = serializers.CharField(source="group.code", default=None, allow_null=True)


class AssignmentApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        codes = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        group = serializers.CharField(required=False, allow_null=True, allow_blank=True)

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request, pk):
        """The campaign's appraiser assignments (province staff)."""
        if not user_is_province_staff(request.user):
            raise Http404
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        return Response(AssignmentSerializer(sel.assignment_list(campaign=campaign), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: AssignmentSerializer, 200: AssignmentSerializer})
    def post(self, request, pk):
        """Assign an appraiser criteria codes (a code covers its subtree), optionally for one
        agency group; assigning the same appraiser and group again adds the codes (200)."""
        if not user_is_officer(request.user):
            raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được phân công thẩm định."), status=403)
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appraiser = User.objects.filter(username=data.validated_data["username"], is_active=True).first()
        if appraiser is None:
            raise ApplicationError(
                _("Không có người dùng “%(username)s”.") % {"username": data.validated_data['username']},
                extra={"errors": {"username": [_("Không tồn tại.")]}})
        assignment, created = svc.assignment_create(
            campaign=campaign, appraiser=appraiser, codes=data.validated_data["codes"],
            group=data.validated_data.get("group") or None, user=request.user)
        return Response(AssignmentSerializer(assignment).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AppraisalItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="criterion.code")
    input = serializers.JSONField()
    self_points = PointsField(allow_null=True)
    external_points = PointsField(allow_null=True)
    appraised_input = serializers.JSONField(allow_null=True)
    appraised_points = PointsField(allow_null=True)
    appraisal_state = serializers.CharField()
    appraisal_comment = serializers.CharField()
    appraised_by = serializers.CharField(source="appraised_by.username", default=None, allow_null=True)
    appraised_at = serializers.DateTimeField(allow_null=True)


class AppraisalProgressSerializer(serializers.Serializer):
    appraised = serializers.IntegerField(source="done")
    total = serializers.IntegerField(help_text="Tiêu chí áp dụng thuộc phần được giao")


class AppraisalApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        agency_code = serializers.CharField(source="agency.code")
        status = serializers.CharField()
        self_total = PointsField()
        appraised_total = PointsField(allow_null=True)
        finalised_at = serializers.DateTimeField(allow_null=True)
        unappraised = serializers.ListField(child=serializers.CharField())
        progress = AppraisalProgressSerializer(help_text="Phần của người gọi (cán bộ Sở: mọi tiêu chí)")
        items = AppraisalItemSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request, pk):
        """The appraisal of an assessment: every item's self and appraised points (province staff)."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        assessment.items_list = list(Item.objects.filter(assessment=assessment)
                                     .select_related("criterion", "appraised_by").order_by("criterion__order"))
        assessment.unappraised = sel.unappraised_codes(assessment=assessment)
        return Response(self.OutputSerializer({
            **{f: getattr(assessment, f) for f in ("id", "agency", "status", "self_total", "appraised_total",
                                                  "finalised_at", "unappraised")},
            "items": assessment.items_list,
            "progress": assessment_appraisal_progress(user=request.user, assessment=assessment),
        }).data)


class AppraiserProgressApi(APIView):
    @extend_schema(responses=AppraisalProgressSerializer)
    def get(self, request, pk):
        """What the caller has appraised of their share over every assessment at the Sở (province staff)."""
        if not user_is_province_staff(request.user):
            raise Http404
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        return Response(AppraisalProgressSerializer(appraiser_progress(campaign=campaign, appraiser=request.user)).data)


class ItemAppraisalApi(APIView):
    class InputSerializer(serializers.Serializer):
        input = serializers.JSONField(required=False, allow_null=True)
        comment = serializers.CharField(required=False, allow_blank=True, default="")
        accept = serializers.BooleanField(required=False, default=False)

        def validate(self, attrs):
            if not attrs.get("accept") and attrs.get("input") in (None, {}):
                raise serializers.ValidationError({"input": ["Bắt buộc, hoặc gửi \"accept\": true để chấp nhận "
                                                             "điểm tự chấm."]})
            return attrs

    class OutputSerializer(AppraisalItemSerializer):
        assessment_status = serializers.CharField(source="assessment.status")
        appraised_total = PointsField(source="assessment.appraised_total", allow_null=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, pk, code):
        """The assigned appraiser's score for one item: `{"input": {...}, "comment": "..."}`
        (input as for the agency, by rule kind), or `{"accept": true}` to accept the self-score.
        400 bad input or a differing score without comment; 403 not assigned; 409 final,
        waiting for an explanation or outside the appraisal steps."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        item = _item(assessment, code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw = None if data.validated_data.get("accept") else data.validated_data.get("input")
        item = svc.item_appraise(item=item, input=raw, comment=data.validated_data.get("comment", ""),
                                 user=request.user)
        item.assessment.refresh_from_db(fields=["status", "appraised_total"])
        return Response(self.OutputSerializer(item).data)


class FieldAcceptApi(APIView):
    class OutputSerializer(serializers.Serializer):
        accepted = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, pk, code):
        """Accept the self-scores of every item of a field not yet appraised (that the caller may appraise)."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        items = svc.field_accept_self_scores(assessment=assessment, field_code=code, user=request.user)
        return Response({"accepted": [i.criterion.code for i in items]})


class ExplanationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assessment = serializers.IntegerField(source="assessment_id")
    items = serializers.SerializerMethodField()
    question = serializers.CharField()
    due_at = serializers.DateTimeField()
    status = serializers.CharField()
    round = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)

    def get_items(self, obj) -> list[str]:
        codes = getattr(obj, "codes", None)
        if codes is None:
            codes = sorted(i.criterion.code for i in obj.items.select_related("criterion"))
        return codes


class ExplanationRequestApi(APIView):
    class InputSerializer(serializers.Serializer):
        items = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        question = serializers.CharField()
        due_at = serializers.DateTimeField()

    @extend_schema(responses=ExplanationRequestSerializer(many=True))
    def get(self, request, pk):
        """The assessment's explanation requests (its agency and province staff)."""
        assessment = sel.assessment_get_for_explanations(user=request.user, pk=pk)
        return Response(ExplanationRequestSerializer(sel.explanation_request_list(assessment=assessment),
                                                     many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ExplanationRequestSerializer})
    def post(self, request, pk):
        """Ask the agency to explain or add evidence for items (codes) by `due_at` (within the
        explanation step for the agency)."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = explain_svc.explanation_request_create(
            assessment=assessment, codes=data.validated_data["items"], question=data.validated_data["question"],
            due_at=data.validated_data["due_at"], user=request.user)
        return Response(ExplanationRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class ExplanationAnswerApi(APIView):
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField()
        documents = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)

    @extend_schema(request=InputSerializer, responses=ExplanationRequestSerializer)
    def post(self, request, pk):
        """The agency's answer, before the deadline: `{"body", "documents": [evidence ids]}`
        (upload files first with POST /assessments/{id}/evidence/). 409 after the deadline."""
        explanation_request = sel.explanation_request_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answered = explain_svc.explanation_answer(request=explanation_request, body=data.validated_data["body"],
                                          documents=data.validated_data["documents"], user=request.user)
        return Response(ExplanationRequestSerializer(answered).data)


class FinalisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency_code = serializers.CharField(source="agency.code")
    status = serializers.CharField()
    appraised_total = PointsField(allow_null=True)
    finalised_at = serializers.DateTimeField(allow_null=True)
    finalised_by = serializers.CharField(source="finalised_by.username", default=None, allow_null=True)


class FinalizeApi(APIView):
    @extend_schema(request=None, responses=FinalisationSerializer)
    def post(self, request, pk):
        """Fix the appraised scores (officers). 409 with the reason (items not appraised,
        explanations still open) in Vietnamese and the codes in `errors.items`."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        assessment = svc.assessment_finalize(assessment=assessment, user=request.user)
        return Response(FinalisationSerializer(assessment).data)


class ReopenApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=FinalisationSerializer)
    def post(self, request, pk):
        """Reopen a final assessment for appraisal (officers), with a reason that is recorded."""
        assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = svc.assessment_reopen(assessment=assessment, reason=data.validated_data["reason"],
                                           user=request.user)
        return Response(FinalisationSerializer(assessment).data)


urlpatterns = [
    path("campaigns/<int:pk>/assignments/", AssignmentApi.as_view(), name="api-campaign-assignments"),
    path("assessments/<int:pk>/appraisal/", AppraisalApi.as_view(), name="api-assessment-appraisal"),
    path("campaigns/<int:pk>/appraisal-progress/", AppraiserProgressApi.as_view(), name="api-appraiser-progress"),
    path("assessments/<int:pk>/items/<str:code>/appraisal/", ItemAppraisalApi.as_view(),
         name="api-assessment-item-appraisal"),
    path("assessments/<int:pk>/fields/<str:code>/accept/", FieldAcceptApi.as_view(),
         name="api-assessment-field-accept"),
    path("assessments/<int:pk>/explanation-requests/", ExplanationRequestApi.as_view(),
         name="api-assessment-explanation-requests"),
    path("explanation-requests/<int:pk>/answer/", ExplanationAnswerApi.as_view(), name="api-explanation-answer"),
    path("assessments/<int:pk>/finalize/", FinalizeApi.as_view(), name="api-assessment-finalize"),
    path("assessments/<int:pk>/reopen/", ReopenApi.as_view(), name="api-assessment-reopen"),
]
