from django.urls import path

from . import public, views

urlpatterns = [
    path("", views.home, name="home"),
    # public, no login: the latest publication of a published campaign
    path("ket-qua/<int:pk>/", public.public_results, name="public-results"),
    path("ket-qua/<int:pk>/don-vi/<str:code>/", public.public_agency, name="public-agency"),
    # the official files, named by year (chi-so-cchc-2024.pdf), never by a database id
    path("ket-qua/<int:pk>/<slug:name>.pdf", public.public_file, {"fmt": "pdf"}, name="public-pdf"),
    path("ket-qua/<int:pk>/<slug:name>.xlsx", public.public_file, {"fmt": "xlsx"}, name="public-xlsx"),
    # officers
    path("reports/<int:pk>/results/", views.results_page, name="reports-results"),
    path("reports/<int:pk>/publish/", views.publish, name="reports-publish"),
    path("reports/<int:pk>/settings/", views.settings_edit, name="reports-settings"),
    path("reports/<int:pk>/board/", views.board, name="reports-board"),
    path("reports/<int:pk>/board.xlsx", views.board_export, name="reports-board-export"),
    path("reports/<int:pk>/ranking.xlsx", views.ranking_export, {"fmt": "xlsx"}, name="reports-ranking-xlsx"),
    path("reports/<int:pk>/ranking.pdf", views.ranking_export, {"fmt": "pdf"}, name="reports-ranking-pdf"),
    path("reports/<int:pk>/summary.pdf", views.summary_pdf, name="reports-summary-pdf"),
    path("reports/<int:pk>/score-sheets.xlsx", views.campaign_export, name="reports-campaign-export"),
    path("reports/exports/<int:job_id>.xlsx", views.export_download, name="reports-export-download"),
    # officers, and an agency's own staff for its sheet
    path("reports/<int:pk>/agencies/<str:code>/", views.score_sheet, name="reports-score-sheet"),
    path("reports/<int:pk>/agencies/<str:code>/score-sheet.xlsx", views.score_sheet, {"fmt": "xlsx"},
         name="reports-score-sheet-xlsx"),
    path("reports/<int:pk>/agencies/<str:code>/score-sheet.pdf", views.score_sheet, {"fmt": "pdf"},
         name="reports-score-sheet-pdf"),
]
