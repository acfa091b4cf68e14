"""The outcome dashboards, mounted at /outcomes/."""

from django.urls import path

from joinedup.outcomes import views

urlpatterns = [
    path("", views.index, name="index"),
    path("audit-commission/", views.audit_commission_page, name="audit_commission"),
    path("audit-commission.csv", views.audit_commission_csv, name="audit_commission_csv"),
    path("figures.csv", views.figures_csv, {"exact": False}, name="figures_csv"),
    path("figures-exact.csv", views.figures_csv, {"exact": True}, name="figures_exact_csv"),
    path("<slug:name>/", views.metric, name="metric"),
    path("<slug:name>/<slug:chart>.csv", views.metric_csv, name="metric_csv"),
]
