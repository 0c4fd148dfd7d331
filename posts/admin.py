from django.contrib import admin, messages

from . import services
from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """The moderators' desk: find posts, edit them, hide or publish them in bulk."""

    list_display = ("id", "title", "user", "category", "status", "created_at")
    list_filter = ("status", "category", "created_at")
    search_fields = ("title", "content", "user__username")
    search_help_text = "Search title, content or author's username."
    list_select_related = ("user",)
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over every post on each page is not worth it
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at", "notified_at")
    actions = ("hide_posts", "publish_posts")

    def get_readonly_fields(self, request, obj=None):
        # Moderators may not see users, so an existing post's author is shown, not picked.
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields

    @admin.action(description="Hide selected posts", permissions=["change"])
    def hide_posts(self, request, queryset) -> None:
        changed = services.posts_set_status(post_ids=queryset.values_list("pk", flat=True), status=Post.Status.HIDDEN)
        self.message_user(request, f"{changed} post(s) hidden.", messages.SUCCESS)

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish_posts(self, request, queryset) -> None:
        changed = services.posts_set_status(
            post_ids=queryset.values_list("pk", flat=True), status=Post.Status.PUBLISHED
        )
        self.message_user(request, f"{changed} post(s) published.", messages.SUCCESS)
