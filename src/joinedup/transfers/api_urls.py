from joinedup.transfers.views import feed

app_name = "transfers_api"
urlpatterns = feed.urlpatterns
