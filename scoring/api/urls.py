"""API v1 of the scoring app, one module per area (criteria, assessments, appraisal)."""
from . import appraisal, assessments, criteria, province

urlpatterns = criteria.urlpatterns + assessments.urlpatterns + appraisal.urlpatterns + province.urlpatterns
