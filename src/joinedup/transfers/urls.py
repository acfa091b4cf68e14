from joinedup.transfers.views import board, capacity

app_name = "transfers"
urlpatterns = [*board.urlpatterns, *capacity.urlpatterns]
