from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import LogoutView, RefreshView, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    *router.urls,
    path("auth/refresh/", RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
]
