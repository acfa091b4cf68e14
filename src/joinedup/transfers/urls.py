from joinedup.transfers.views import board, capacity, discharge

urlpatterns = [*board.urlpatterns, *capacity.urlpatterns, *discharge.urlpatterns]
