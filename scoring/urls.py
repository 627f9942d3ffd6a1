"""Pages of the scoring app, one module per area (criteria, assessments, appraisal)."""
from .views import appraisal, assessments, criteria, province

app_name = "scoring"
urlpatterns = criteria.urlpatterns + assessments.urlpatterns + appraisal.urlpatterns + province.urlpatterns
