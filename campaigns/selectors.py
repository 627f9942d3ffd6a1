"""Every read of agencies, users' roles and campaigns that a page or the API needs."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cchc_portal.core.selectors import one_or_404

from .models import PROVINCE_ROLES, Agency, Campaign, Extension, Membership, Role, Step, StepKind, User

# ---------------------------------------------------------------- roles


def user_roles(user) -> set[str]:
    """Every role a user holds: province-wide ones (groups) and agency ones (memberships)."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_cchc_roles", None)
    if cached is not None:
        return cached
    roles = {name for name in user.groups.values_list("name", flat=True) if name in PROVINCE_ROLES}
    if user.is_superuser:
        roles.add(Role.ADMIN.value)
    roles |= set(Membership.objects.filter(user=user).values_list("role", flat=True))
    user._cchc_roles = roles
    return roles


def user_is_officer(user) -> bool:
    """Officers of the Sở Nội vụ and system admins manage campaigns."""
    return bool(user_roles(user) & {Role.ADMIN, Role.OFFICER})


def user_is_appraiser(user) -> bool:
    return Role.APPRAISER in user_roles(user)


def user_is_province_staff(user) -> bool:
    return bool(user_roles(user) & set(PROVINCE_ROLES))


def user_agency_ids(user, *, roles=None) -> set[int]:
    """Agencies the user serves (optionally only in the given roles)."""
    if not user or not user.is_authenticated:
        return set()
    qs = Membership.objects.filter(user=user)
    if roles:
        qs = qs.filter(role__in=list(roles))
    return set(qs.values_list("agency_id", flat=True))


def user_agencies(user) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=user_agency_ids(user)).select_related("group")


# ---------------------------------------------------------------- agencies


def agency_list_for_user(*, user) -> QuerySet[Agency]:
    """Province staff see every agency; agency staff see their own and those under them
    (a district that runs its communes' campaign)."""
    qs = Agency.objects.select_related("group", "parent")
    if user_is_province_staff(user):
        return qs
    own = user_agency_ids(user)
    return qs.filter(Q(pk__in=own) | Q(parent_id__in=own))


def agency_get_for_user(*, user, code) -> Agency:
    return one_or_404(agency_list_for_user(user=user), code=code)


# ---------------------------------------------------------------- campaigns


def campaign_agencies(campaign) -> QuerySet[Agency]:
    """The agencies a campaign covers."""
    return campaign.agencies.select_related("group", "parent").order_by("group__order", "code")


def campaign_list_for_user(*, user) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("owner").prefetch_related("steps", "groups")
    if user_is_province_staff(user):
        return qs
    # Covered agencies see a campaign from its draft on: the plan is theirs to prepare for.
    own = user_agency_ids(user)
    # the province's own index: any agency may answer for its items once it is under way (what
    # each one may do there is scoring's to say)
    province = Q(kind=Campaign.Kind.PROVINCE) & ~Q(status=Campaign.Status.DRAFT) if own else Q(pk__in=[])
    return qs.filter(Q(agencies__in=own) | Q(owner_id__in=own) | province).distinct()


def campaign_get_for_user(*, user, pk) -> Campaign:
    return one_or_404(campaign_list_for_user(user=user), pk=pk)


# ---------------------------------------------------------------- effective deadlines


@dataclass(frozen=True)
class Window:
    """When a step is open for one agency. `extended` is True when an extension applies."""

    kind: str
    opens_at: datetime
    closes_at: datetime
    base_closes_at: datetime
    extended: bool = False
    reason: str = ""

    @property
    def label(self) -> str:
        return StepKind(self.kind).label

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now < self.closes_at:
            return "open"
        return "closed"


def _window(step: Step, extension: Extension | None) -> Window:
    if extension is not None and extension.closes_at > step.closes_at:
        return Window(step.kind, step.opens_at, extension.closes_at, step.closes_at, True, extension.reason)
    return Window(step.kind, step.opens_at, step.closes_at, step.closes_at)


def step_window_for(*, agency, campaign, kind) -> Window | None:
    """The one place that knows an agency's effective deadline for a step.

    The latest extension granted to the agency for the step is in force; an extension
    never shortens the step. None when the plan has no such step.
    """
    step = Step.objects.filter(campaign=campaign, kind=kind).first()
    if step is None:
        return None
    extension = Extension.objects.filter(step=step, agency=agency).order_by("-granted_at", "-id").first()
    return _window(step, extension)


def _step_and_latest_extensions(*, campaign, kind, agency_ids=None):
    """(the step, agency id → its latest extension) in two queries; (None, {}) without the step."""
    step = Step.objects.filter(campaign=campaign, kind=kind).first()
    if step is None:
        return None, {}
    extensions = Extension.objects.filter(step=step)
    if agency_ids is not None:
        extensions = extensions.filter(agency_id__in=agency_ids)
    latest: dict[int, Extension] = {}
    for ext in extensions.order_by("granted_at", "id"):
        latest[ext.agency_id] = ext
    return step, latest


def step_window_resolver(*, campaign, kind) -> Callable[[int], Window | None]:
    """Every agency's effective window of one step, from two queries: a function of the
    agency id (None when the plan has no such step), for callers that ask for many."""
    step, latest = _step_and_latest_extensions(campaign=campaign, kind=kind)
    if step is None:
        return lambda agency_id: None
    return lambda agency_id: _window(step, latest.get(agency_id))


def step_windows(*, campaign, kind, agency_ids=None) -> dict[int, Window]:
    """Effective windows of one step for many agencies in two queries (agency id → window).

    Agencies without an extension get the step's own window; pass `agency_ids` to limit
    the result, otherwise every covered agency is returned.
    """
    step, latest = _step_and_latest_extensions(campaign=campaign, kind=kind, agency_ids=agency_ids)
    if step is None:
        return {}
    if agency_ids is None:
        agency_ids = list(campaign.agencies.values_list("pk", flat=True))
    return {aid: _window(step, latest.get(aid)) for aid in agency_ids}


def agency_windows(*, agency, campaign) -> dict[str, Window]:
    """Every step of a campaign as the agency sees it (kind → window), in two queries."""
    steps = list(campaign.steps.all())
    latest: dict[int, Extension] = {}
    for ext in Extension.objects.filter(step__campaign=campaign, agency=agency).order_by("granted_at", "id"):
        latest[ext.step_id] = ext
    return {s.kind: _window(s, latest.get(s.pk)) for s in sorted(steps, key=lambda s: s.order)}


def step_is_open_for(*, agency, campaign, kind, now=None) -> bool:
    window = step_window_for(agency=agency, campaign=campaign, kind=kind)
    return bool(window and window.is_open(now))


def extension_list(*, campaign) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(step__campaign=campaign)
        .select_related("step", "agency", "granted_by")
        .order_by("-granted_at", "-id")
    )


def users_for_agency(*, agency, roles=None) -> QuerySet[User]:
    qs = User.objects.filter(memberships__agency=agency, is_active=True)
    if roles:
        qs = qs.filter(memberships__role__in=list(roles))
    return qs.distinct()


def officers() -> QuerySet[User]:
    return User.objects.filter(
        Q(groups__name__in=[Role.OFFICER, Role.ADMIN]) | Q(is_superuser=True), is_active=True
    ).distinct()


def campaign_list_with_counts(*, user) -> QuerySet[Campaign]:
    """`campaign_list_for_user` with `agency_total` (agencies covered) and `extension_total`
    (extensions granted). Both counts are distinct: the two joins multiply each other's rows."""
    return campaign_list_for_user(user=user).annotate(
        agency_total=Count("agencies", distinct=True), extension_total=Count("steps__extensions", distinct=True))
