"""`one_or_404`, the lookup every `*_get_for_*` selector shares."""
import pytest
from django.http import Http404

from cchc_portal.core.selectors import one_or_404
from scoring.models import Assessment


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [10**9, "abc", None])
def test_missing_or_malformed_id_is_404(pk):
    with pytest.raises(Http404):
        one_or_404(Assessment.objects.all(), pk=pk)
