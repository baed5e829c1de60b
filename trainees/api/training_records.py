"""Training records (issue 18): a trainee's record, its signed export, and the published record-signing keys.

The record and its export are read by mission HQ and Ukrainian institutions only (`training_records` of the scope
policy); a reference out of the caller's scope answers exactly as one that does not exist. The keys are public:
a receiving unit needs them, and no account, to check a record offline (docs/api.md, "Training records").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response

from academies.partners.viewsets import ScopedViewSetMixin
from config import signing
from config.exceptions import ApplicationError
from trainees.models import SigningKey, Trainee
from trainees.training_record import FORMAT, ISSUER, training_record, training_record_signed


class TrainingRecordCourseSerializer(serializers.Serializer):
    course = serializers.CharField(help_text=_("The course's code."))
    course_name_en = serializers.CharField()
    course_name_uk = serializers.CharField()
    course_version = serializers.IntegerField(allow_null=True, help_text=_("The version of the course it followed."))
    site = serializers.CharField(help_text=_("The slug of the academy or training site."))
    site_name_en = serializers.CharField()
    site_name_uk = serializers.CharField()
    site_nation = serializers.CharField(help_text=_("The code of the site's nation."))
    cohort = serializers.CharField(help_text=_("The cohort's reference."))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=["completed", "withdrawn"])
    outcome_on = serializers.DateField(help_text=_("The day the outcome was recorded."))


class TrainingRecordSerializer(serializers.Serializer):
    """The shape of a record, for the schema: `trainees.training_record` builds it."""

    format = serializers.CharField(help_text=_("The record's format and version."))
    issuer = serializers.CharField()
    issued_at = serializers.DateTimeField()
    trainee = serializers.CharField(help_text=_("The trainee's pseudonymous reference."))
    courses = TrainingRecordCourseSerializer(many=True)


class SignatureSerializer(serializers.Serializer):
    alg = serializers.ChoiceField(choices=[signing.ALGORITHM])
    key_id = serializers.CharField(help_text=_("The key that signed it, among the published record-signing keys."))
    value = serializers.CharField(help_text=_("The Ed25519 signature of the record's canonical JSON, in base64url."))


class SignedTrainingRecordSerializer(serializers.Serializer):
    record = TrainingRecordSerializer()
    signature = SignatureSerializer()


class RecordSigningKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = SigningKey
        fields = ["key_id", "algorithm", "public_key", "activated_at", "retired_at", "reason"]


class RecordSigningKeysSerializer(serializers.Serializer):
    keys = RecordSigningKeySerializer(many=True)


class SigningKeyUnregistered(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"


RECORD_EXAMPLE = {
    "format": FORMAT,
    "issuer": ISSUER,
    "issued_at": "2025-06-02T08:00:00+00:00",
    "trainee": "UA-7F3K-0192",
    "courses": [
        {
            "course": "basic-infantry",
            "course_name_en": "Basic infantry training",
            "course_name_uk": "Базова загальновійськова підготовка",
            "course_version": 2,
            "site": "zagan-training-centre",
            "site_name_en": "Żagań training centre",
            "site_name_uk": "Навчальний центр Жагань",
            "site_nation": "PL",
            "cohort": "CATC-BI-2025-07",
            "starts_on": "2025-04-07",
            "ends_on": "2025-05-11",
            "outcome": "completed",
            "outcome_on": "2025-05-11",
        }
    ],
}


SIGNED_EXAMPLE = {
    "record": RECORD_EXAMPLE,
    "signature": {"alg": signing.ALGORITHM, "key_id": "3f2a9c0d51e7b84a", "value": "q1Zk…(86 characters)…Bg"},
}
KEYS_EXAMPLE = {
    "keys": [
        {
            "key_id": "3f2a9c0d51e7b84a",
            "algorithm": signing.ALGORITHM,
            "public_key": "Xw8m…(43 characters)…4Q",
            "activated_at": "2025-01-06T09:00:00+01:00",
            "retired_at": None,
            "reason": "First record signing key of this installation.",
        }
    ]
}


class TrainingRecordMixin(ScopedViewSetMixin):
    """One trainee by its reference, among those whose record the caller reads (else 404, as for no trainee)."""

    queryset = Trainee.objects.all()
    lookup_field = "reference"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        caller = self.caller
        return Trainee.objects.training_records_for(caller.actor.policy) if caller else Trainee.objects.none()


class TrainingRecordView(TrainingRecordMixin, generics.GenericAPIView):
    """A trainee's training record: the courses it finished, with version, site, dates and outcome."""

    serializer_class = TrainingRecordSerializer

    @extend_schema(
        responses={
            200: OpenApiResponse(
                TrainingRecordSerializer,
                description=_("The record (unsigned; the signed export is at `signed/`)."),
                examples=[OpenApiExample("A completed course", value=RECORD_EXAMPLE)],
            )
        }
    )
    def get(self, request, reference: str):
        return Response(training_record(self.get_object()))


class SignedTrainingRecordView(TrainingRecordMixin, generics.GenericAPIView):
    """The record as a signed document, to hand on: anyone holding the published keys can check it offline."""

    serializer_class = SignedTrainingRecordSerializer

    @extend_schema(
        responses={
            200: OpenApiResponse(
                SignedTrainingRecordSerializer,
                description=_("The signed record, as a file to save (Content-Disposition: attachment)."),
                examples=[OpenApiExample("A signed record", value=SIGNED_EXAMPLE)],
            ),
            503: OpenApiResponse(description=_("The key that signs records is not registered yet.")),
        }
    )
    def get(self, request, reference: str):
        trainee = self.get_object()
        try:
            document = training_record_signed(trainee)
        except ApplicationError as error:
            raise SigningKeyUnregistered(error.message) from error
        filename = "training-record-" + trainee.reference.replace(":", "_") + ".json"
        return Response(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class RecordSigningKeysView(ScopedViewSetMixin, generics.GenericAPIView):
    """The public keys that sign training records, retired ones too: public, so receivers need no account."""

    permission_classes = [permissions.AllowAny]
    serializer_class = RecordSigningKeysSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return SigningKey.objects.all()  # public: every caller, and none, sees every key

    @extend_schema(
        auth=[],
        responses={
            200: OpenApiResponse(
                RecordSigningKeysSerializer,
                description=_("Every key that signed records, the one in use last (its `retired_at` empty)."),
                examples=[OpenApiExample("One key in use", value=KEYS_EXAMPLE)],
            )
        },
    )
    def get(self, request):
        return Response(RecordSigningKeysSerializer({"keys": SigningKey.objects.all()}).data)
