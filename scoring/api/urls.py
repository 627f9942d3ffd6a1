"""API v1 of the scoring app, one module per area (criteria, assessments, appraisal, province)."""
from . import appraisal, assessments, criteria, province, province_official

urlpatterns = (criteria.urlpatterns + assessments.urlpatterns + appraisal.urlpatterns + province.urlpatterns
               + province_official.urlpatterns)
