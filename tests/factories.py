"""factory_boy factories shared by every app's tests."""
from datetime import timedelta

import factory
from django.utils import timezone

from campaigns.models import Agency, AgencyGroup, Campaign, Membership, Step, User


def group(code):
    return AgencyGroup.objects.get(code=code)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:03d}")
    name = factory.Sequence(lambda n: f"Sở thử nghiệm {n}")
    group = factory.LazyFunction(lambda: group("department"))
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@example.gov.vn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.vn")
    password = factory.PostGenerationMethodCall("set_password", "Pass-1234")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = "staff"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    year = 2026
    name = factory.Sequence(lambda n: f"Chỉ số CCHC 2026 #{n}")
    status = Campaign.Status.OPEN


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    campaign = factory.SubFactory(CampaignFactory)
    kind = "self_assessment"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))
