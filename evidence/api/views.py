"""API v1 for an agency's evidence library: list, upload, read, edit metadata, delete.

(`POST /api/v1/assessments/{id}/evidence/`, upload and link to items, belongs to scoring and
calls `evidence.services.document_upload`.)
"""
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.parsers import JSONParser

from .. import selectors, services
from ..forms import DATE_INPUT_FORMATS
from ..validation import INLINE_CONTENT_TYPES


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    agency_code = serializers.CharField(source="agency.code")
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    content_type = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    issuer = serializers.CharField()
    summary = serializers.CharField()
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return reverse("evidence:download", args=[obj.pk])

    def get_preview_url(self, obj) -> str | None:
        return reverse("evidence:preview", args=[obj.pk]) if obj.content_type in INLINE_CONTENT_TYPES else None


class MetadataSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    issued_on = serializers.DateField(required=False, allow_null=True, input_formats=DATE_INPUT_FORMATS)
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=255)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=services.SUMMARY_MAX)


class DocumentListApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(MetadataSerializer):
        campaign = serializers.IntegerField()
        agency = serializers.CharField(help_text="Mã đơn vị")
        file = serializers.FileField(use_url=False)

    class OutputSerializer(DocumentOutputSerializer):
        created = serializers.BooleanField()

    @extend_schema(
        parameters=[OpenApiParameter("campaign", int), OpenApiParameter("agency", str, description="mã đơn vị"),
                    OpenApiParameter("q", str, description="tìm theo số, ký hiệu, trích yếu, tên tệp")],
        responses=DocumentOutputSerializer(many=True),
    )
    def get(self, request):
        documents = selectors.document_list_for_user(user=request.user, with_text=False)
        if request.query_params.get("campaign"):
            documents = documents.filter(campaign_id=_int(request.query_params["campaign"]))
        if request.query_params.get("agency"):
            documents = documents.filter(agency__code=request.query_params["agency"])
        documents = selectors.document_search(documents, request.query_params.get("q", ""))
        return Response(DocumentOutputSerializer(documents, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer, 200: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        campaign, agency = selectors.library_get_for_user(user=request.user, campaign_id=v.pop("campaign"),
                                                          agency_code=v.pop("agency"))
        document, created = services.document_upload(agency=agency, campaign=campaign, user=request.user, **v)
        document.created = created
        return Response(self.OutputSerializer(document).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("Mã đợt đánh giá không hợp lệ."), extra={"errors": {"campaign": [_("Phải là số.")]}}) \
            from exc


class DocumentDetailApi(APIView):
    @extend_schema(responses=DocumentOutputSerializer)
    def get(self, request, pk):
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        return Response(DocumentOutputSerializer(document).data)

    @extend_schema(request=MetadataSerializer, responses=DocumentOutputSerializer)
    def patch(self, request, pk):
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        data = MetadataSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        document = services.document_update_metadata(document=document, user=request.user, **data.validated_data)
        return Response(DocumentOutputSerializer(document).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        services.document_delete(document=document, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
