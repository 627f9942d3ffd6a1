"""Pages of the scoring app, one module per area (criteria, assessments, appraisal)."""
from importlib import import_module

app_name = "scoring"
urlpatterns = []
for _area in ("criteria", "assessments", "appraisal"):
    try:
        urlpatterns += import_module(f"scoring.views.{_area}").urlpatterns
    except (ModuleNotFoundError, AttributeError):  # an area not built yet
        pass
