from joinedup.transfers.views import feed

urlpatterns = feed.urlpatterns
