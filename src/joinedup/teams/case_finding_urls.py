"""A team's case-finding worklist, mounted at /case-finding/ and reversed as "casefinding:".

The page is one of the team's workspace pages (it adds to the team's MDT and opens its
episodes), so it lives with them; its address and name stay those staff already use.
"""

from django.urls import path

from joinedup.teams.views import case_finding

urlpatterns = [
    path("<str:team_id>/", case_finding.worklist_page, name="worklist"),
]
