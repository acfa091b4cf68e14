"""Staff accounts, mounted at /accounts/."""

from django.urls import path

from joinedup.accounts import views

urlpatterns = [
    path("", views.staff, name="staff"),
    path("add/", views.add, name="add"),
    path("<int:user_id>/", views.account, name="account"),
    path("<int:user_id>/password/", views.password, name="password"),
    path("<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", views.reactivate, name="reactivate"),
]
