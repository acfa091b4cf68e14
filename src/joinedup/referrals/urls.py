"""The single point of access: the form, triage, my referrals, the urgent board, a referral."""

from django.urls import path

from joinedup.referrals.views import intake, new, queues, referral, visit_outcome

urlpatterns = [
    path("new/", new.new_referral, name="new"),
    path("triage/", queues.triage, name="triage"),
    path("mine/", queues.mine, name="mine"),
    path("urgent/", queues.urgent, name="urgent"),
    path("intake/<int:intake_id>/", intake.intake, name="intake"),
    path("<str:referral_id>/", referral.referral, name="referral"),
    path("<str:referral_id>/act/", referral.act, name="act"),
    path("<str:referral_id>/outcome/", visit_outcome.visit_outcome, name="visit_outcome"),
]
