app_name = "major"
urlpatterns = []
