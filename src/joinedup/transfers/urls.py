from joinedup.transfers.views import board, capacity, discharge

app_name = "transfers"
urlpatterns = [*board.urlpatterns, *capacity.urlpatterns, *discharge.urlpatterns]
