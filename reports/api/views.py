"""API v1 of the reports app: results, publishing and the list of publications.

Results and publications are public once a campaign is published (they serve the latest
publication's frozen rows); before that only officers see them (live results).
"""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Campaign
from campaigns.selectors import campaign_get_for_user, user_is_officer
from cchc_portal.core.api import PointsField

from .. import selectors, services


def _campaign_for(request, pk, *, live_allowed=True):
    """(campaign, publication or None). Published: anyone gets the latest publication
    (officers may ask `?live=1`). Otherwise officers only: 404 for who may not see the
    campaign (anonymous included), 403 for who sees it but is not an officer."""
    campaign = Campaign.objects.filter(pk=pk, status=Campaign.Status.PUBLISHED).first()
    publication = selectors.publication_latest(campaign=campaign) if campaign else None
    officer = user_is_officer(request.user)
    live = live_allowed and officer and request.query_params.get("live") in ("1", "true")
    if publication is not None and not live:
        return campaign, publication
    if not request.user.is_authenticated:
        raise Http404
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    if not officer:
        raise PermissionDenied("Kết quả chưa công bố; chỉ cán bộ Sở Nội vụ được xem.")
    return campaign, None


class FieldSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField(required=False)
    points = PointsField(allow_null=True)
    max_points = PointsField()
    applicable = serializers.BooleanField(required=False)
    kind = serializers.CharField(required=False, help_text="base; bonus, penalty or mixed: ngoài điểm tối đa.")


class ResultSerializer(serializers.Serializer):
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    group = serializers.CharField()
    group_name = serializers.CharField()
    total = PointsField()
    max_points = PointsField()
    index = PointsField(allow_null=True)
    grade = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    bonus = PointsField()
    penalty = PointsField()
    fields = FieldSerializer(many=True)
    status = serializers.CharField(required=False, help_text="Trạng thái bản tự đánh giá (chỉ kết quả tạm tính).")
    stage = serializers.CharField(required=False, help_text="Trạng thái như các trang hiển thị (chỉ kết quả tạm "
                                                            "tính): `not_started` là bản nháp chưa chấm tiêu chí nào.")


class ResultsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("live", bool, description="Cán bộ Sở: kết quả tạm tính dù đã công bố.")],
        responses=ResultSerializer(many=True),
        description="Kết quả theo đơn vị. Đã công bố: bất kỳ ai, số liệu của lần công bố mới nhất. "
                    "Chưa công bố: chỉ cán bộ Sở Nội vụ (kết quả tạm tính).",
    )
    def get(self, request, pk):
        campaign, publication = _campaign_for(request, pk)
        if publication is not None:
            rows = selectors.publication_rows(publication=publication)
        else:
            results = selectors.campaign_results(campaign=campaign)
            rows = [{**services.publication_row(r), "status": r.status, "stage": r.stage} for r in results.rows]
        return Response(ResultSerializer(rows, many=True).data)


class PublicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    decision_number = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    agency_count = serializers.IntegerField()


class PublishApi(APIView):
    @extend_schema_serializer(component_name="PublishInput")
    class InputSerializer(serializers.Serializer):
        decision_number = serializers.CharField(max_length=100)
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: PublicationSerializer},
                   description="Cán bộ Sở: công bố (đóng băng) kết quả; lần sau là đính chính, cần ghi chú. "
                               "409 khi còn đơn vị chưa chốt điểm hoặc chưa có gì để công bố.")
    def post(self, request, pk):
        campaign = campaign_get_for_user(user=request.user, pk=pk)
        if not user_is_officer(request.user):
            raise PermissionDenied("Chỉ cán bộ Sở Nội vụ được công bố kết quả.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = services.publication_create(campaign=campaign, user=request.user, **data.validated_data)
        publication.agency_count = publication.agency_rows.count()
        return Response(PublicationSerializer(publication).data, status=status.HTTP_201_CREATED)


class PublicationListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="PublicationListItem")
    class OutputSerializer(PublicationSerializer):
        published_by = serializers.SerializerMethodField()

        def get_published_by(self, obj) -> str | None:
            return obj.published_by.display_name if self.context["officer"] else None

    @extend_schema(responses=OutputSerializer(many=True),
                   description="Các lần công bố, mới nhất trước: công khai khi đã công bố; trước đó chỉ cán bộ Sở.")
    def get(self, request, pk):
        campaign, _publication = _campaign_for(request, pk, live_allowed=False)
        publications = selectors.publication_list(campaign=campaign)
        return Response(self.OutputSerializer(
            publications, many=True, context={"officer": user_is_officer(request.user)}).data)
