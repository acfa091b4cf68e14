"""The team manager's break-glass review, mounted at /break-glass/."""

from django.urls import path

from joinedup.access import break_glass_review

urlpatterns = [
    path("", break_glass_review.review, name="break_glass_review"),
    path("<int:pk>/reviewed/", break_glass_review.mark_reviewed, name="break_glass_mark_reviewed"),
]
