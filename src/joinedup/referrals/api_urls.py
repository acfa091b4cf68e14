"""The referral endpoint for systems, mounted at /api/referrals/."""

from django.urls import path

from joinedup.referrals.views import api

urlpatterns = [
    path("", api.referrals, name="referrals"),
    path("<str:referral_id>/", api.referral_status, name="referral"),
]
