from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import HealthView

# One set of API routes, served under both version namespaces: versions differ in
# serializers and options (request.version), never in copied views.
api_patterns = [
    path("", include("users.urls")),
    path("", include("posts.urls")),
    path("", include("todos.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_patterns, "v1"))),
    path("api/v2/", include((api_patterns, "v2"))),
    path("api/health/", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v2"), name="schema"),
    path("api/schema/v1/", SpectacularAPIView.as_view(api_version="v1"), name="schema-v1"),
    path("api/schema/v2/", SpectacularAPIView.as_view(api_version="v2"), name="schema-v2"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema-v2"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("metrics", include("blogapi.metrics")),
]
