"""startproject's URLconf plus the floor, at the same path as our bench's own floor."""

from django.contrib import admin
from django.urls import path

from bench.peers.floor.views import floor

urlpatterns = [
    path("admin/", admin.site.urls),
    path("bench/floor/", floor, name="floor"),
]
