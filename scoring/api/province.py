"""API v1 of the province's own index (Campaign.kind "province"): the board of items, the
lead department's score, evidence and notes, the leader's send, the Sở's return and accept,
and each criterion's responsibility. Points travel as strings with 2 decimals."""
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.selectors import user_is_officer
from cchc_portal.core.api import PointsField
from cchc_portal.core.exceptions import ApplicationError
from scoring.models import Criterion
from scoring.selectors.province import (
    province_agencies_of_user,
    province_agency_get_for_user,
    province_board,
    province_campaign_get_for_user,
    province_item_get_for_user,
)
from scoring.services import province as services


class ProvinceItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.criterion.code")
    title = serializers.CharField(source="item.criterion.title")
    lead = serializers.CharField(source="lead.code", default=None, allow_null=True)
    cooperating = serializers.SerializerMethodField()
    status = serializers.CharField(source="item.lead_status")
    input = serializers.JSONField(source="item.input")
    explanation = serializers.CharField(source="item.explanation")
    self_points = PointsField(source="item.self_points", allow_null=True)
    max_points = PointsField(source="item.criterion.max_points")
    evidence_count = serializers.IntegerField()
    note_count = serializers.IntegerField()
    review_comment = serializers.CharField(source="item.review_comment")
    closes_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    version = serializers.IntegerField(source="item.version")

    def get_cooperating(self, obj) -> list[str]:
        return [a.code for a in obj.cooperating]


class ProvinceItemsApi(APIView):
    """Officers: every item (or one agency's with `?agency=CODE`); a department: the items its
    agencies lead or help with (`?agency=CODE`: one of its own)."""

    @extend_schema(parameters=[OpenApiParameter("agency", str, required=False)],
                   responses=ProvinceItemSerializer(many=True))
    def get(self, request, pk):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        code = request.query_params.get("agency", "")
        if code:
            agencies = [province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment,
                                                     code=code)]
        elif user_is_officer(request.user):
            agencies = [None]
        else:  # a department without ?agency: the items of each of the caller's agencies
            agencies = province_agencies_of_user(user=request.user, assessment=assessment)
        rows = [row for agency in agencies for row in province_board(assessment=assessment, agency=agency).rows]
        return Response(ProvinceItemSerializer(rows, many=True).data)


class ProvinceItemUpdateApi(APIView):
    class InputSerializer(serializers.Serializer):
        input = serializers.JSONField(required=False, allow_null=True)
        explanation = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=10000)
        version = serializers.IntegerField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField(source="criterion.code")
        input = serializers.JSONField()
        explanation = serializers.CharField()
        self_points = PointsField(allow_null=True)
        status = serializers.CharField(source="lead_status")
        version = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, pk, code):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = services.province_item_update(item=item, input=v.get("input"), explanation=v.get("explanation"),
                                             version=v["version"], user=request.user)
        return Response(self.OutputSerializer(item).data)


class ProvinceItemNoteApi(APIView):
    """Multipart: `agency_code` (the lead or a co-operating agency of the caller), `body`, `file` (any)."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()
        body = serializers.CharField(required=False, allow_blank=True, max_length=10000)
        file = serializers.ListField(child=serializers.FileField(use_url=False), required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        agency_code = serializers.CharField(source="agency.code")
        body = serializers.CharField()
        document_ids = serializers.SerializerMethodField()

        def get_document_ids(self, obj) -> list[int]:
            return sorted(d.pk for d in obj.documents.all())

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk, code):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment,
                                              code=v["agency_code"])
        note = services.province_item_contribute(item=item, agency=agency, user=request.user,
                                                 body=v.get("body", ""), files=v.get("file", []))
        return Response(self.OutputSerializer(note).data, status=201)


class ProvinceSendApi(APIView):
    class InputSerializer(serializers.Serializer):
        agency_code = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=inline_serializer("ProvinceSent", fields={
        "sent": serializers.IntegerField()}))
    def post(self, request, pk):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agency = province_agency_get_for_user(user=request.user, campaign=campaign, assessment=assessment,
                                              code=data.validated_data["agency_code"])
        return Response({"sent": services.province_items_send(assessment=assessment, agency=agency,
                                                              user=request.user)})


class ProvinceReviewApi(APIView):
    """The Sở returns a sent item with a comment (`/return/`) or accepts it (`/accept/`)."""

    action = "accept"

    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    @extend_schema(request=InputSerializer, responses=ProvinceItemUpdateApi.OutputSerializer)
    def post(self, request, pk, code):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        item, _resp = province_item_get_for_user(user=request.user, assessment=assessment, code=code)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if self.action == "return":
            item = services.province_item_return(item=item, user=request.user,
                                                 comment=data.validated_data.get("comment", ""))
        else:
            item = services.province_item_accept(item=item, user=request.user)
        return Response(ProvinceItemUpdateApi.OutputSerializer(item).data)


class ProvinceResponsibleApi(APIView):
    """`{"codes": [lead, co-operating...]}`; `[]` clears. A parent's assignment covers its items."""

    class InputSerializer(serializers.Serializer):
        codes = serializers.ListField(child=serializers.CharField(), allow_empty=True)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        lead = serializers.CharField(source="responsible_agency.code", default=None, allow_null=True)
        cooperating = serializers.SerializerMethodField()

        def get_cooperating(self, obj) -> list[str]:
            return sorted(a.code for a in obj.cooperating_agencies.all())

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request, pk, code):
        campaign, assessment = province_campaign_get_for_user(user=request.user, pk=pk)
        if not user_is_officer(request.user):
            raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được giao tiêu chí."), status=403)
        criterion = Criterion.objects.filter(criteria_set=assessment.criteria_set, code=code).first()
        if criterion is None:
            raise Http404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agencies = services.agencies_by_codes(list(dict.fromkeys(data.validated_data["codes"])))
        criterion = services.criterion_assign(criterion=criterion, lead=agencies[0] if agencies else None,
                                              cooperating=agencies[1:], user=request.user)
        return Response(self.OutputSerializer(criterion).data)


urlpatterns = [
    path("campaigns/<int:pk>/province/items/", ProvinceItemsApi.as_view(), name="api-province-items"),
    path("campaigns/<int:pk>/province/items/<str:code>/", ProvinceItemUpdateApi.as_view(),
         name="api-province-item"),
    path("campaigns/<int:pk>/province/items/<str:code>/notes/", ProvinceItemNoteApi.as_view(),
         name="api-province-item-notes"),
    path("campaigns/<int:pk>/province/items/<str:code>/return/", ProvinceReviewApi.as_view(action="return"),
         name="api-province-item-return"),
    path("campaigns/<int:pk>/province/items/<str:code>/accept/", ProvinceReviewApi.as_view(action="accept"),
         name="api-province-item-accept"),
    path("campaigns/<int:pk>/province/send/", ProvinceSendApi.as_view(), name="api-province-send"),
    path("campaigns/<int:pk>/province/criteria/<str:code>/responsible/", ProvinceResponsibleApi.as_view(),
         name="api-province-responsible"),
]
