"""A team's workspace: its caseload, episodes, key workers and workload (members only);
and a key worker's own people."""

from django.urls import path

from joinedup.teams.views import caseload, episodes, key_worker, my_people

urlpatterns = [
    path("my-people/", my_people.my_people, name="my_people"),
    path("<str:team_id>/caseload/", caseload.caseload, name="caseload"),
    path("<str:team_id>/caseload/open/", episodes.episode_open, name="episode_open"),
    path(
        "<str:team_id>/episodes/<str:episode_id>/close/",
        episodes.episode_close,
        name="episode_close",
    ),
    path(
        "<str:team_id>/people/<str:person_id>/key-worker/",
        key_worker.key_worker,
        name="key_worker",
    ),
    path("<str:team_id>/workload/", caseload.workload, name="workload"),
]
