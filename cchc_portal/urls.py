from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from campaigns import views as campaign_views

admin.site.site_header = _("Cổng Chỉ số CCHC – Quản trị")
admin.site.site_title = _("Quản trị Chỉ số CCHC")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", campaign_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", campaign_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password-change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("cchc_portal.api_urls")),
    path("campaigns/", include("campaigns.urls")),
    path("notifications/", include("cchc_portal.automation.urls")),
    path("evidence/", include("evidence.urls")),
    path("scoring/", include("scoring.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
]

handler404 = "cchc_portal.core.api.not_found"
