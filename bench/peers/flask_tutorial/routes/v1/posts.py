"""app/routes/v1/posts.py of the tutorial: cached list and detail, create, update, delete.

The decorator order is the tutorial's: marshal_with outside cache.cached, so the cache
holds what the schema dumped and every hit is marshalled again. The cache.delete calls
are the tutorial's too, keys and all (see README.md: they miss Flask-Caching's keys).
"""

from flask import abort, current_app, g, request
from flask_restx import Namespace, Resource, fields

from ... import CACHE_TIMEOUT, cache, db, login_required
from ...models import Post
from ...schemas import post_schema, posts_schema

api = Namespace("posts", description="Post management operations")

post_model = api.model(
    "Post",
    {
        "id": fields.Integer(readonly=True),
        "title": fields.String(required=True, description="The post title"),
        "content": fields.String(required=True, description="The post content"),
        "created_at": fields.DateTime(readonly=True),
        "user_id": fields.Integer(readonly=True),
        "category": fields.String(default="general"),
    },
)

MAX_PER_PAGE = 100  # our API's page_size cap


def published():
    # Ours, not the tutorial's: hidden posts are absent from the API.
    return Post.query.filter_by(status="published")


@api.route("")
class PostList(Resource):
    @api.doc("list_posts")
    @api.marshal_list_with(post_model)
    @cache.cached(timeout=CACHE_TIMEOUT, query_string=True)  # 缓存 60 秒,考虑查询参数
    def get(self):
        """List all posts"""
        user_id = request.args.get("user_id", type=int)
        query = published().order_by(Post.created_at.desc(), Post.id.desc())  # ours: newest first
        if user_id:
            query = query.filter_by(user_id=user_id)
        # The tutorial returns query.all(): every post. Flask-SQLAlchemy's own pagination
        # instead (?page=, ?per_page=, 20 a page by default), the list itself unchanged.
        posts = query.paginate(max_per_page=MAX_PER_PAGE, error_out=False).items
        current_app.logger.debug("Fetched posts")
        return posts_schema.dump(posts)

    @api.doc("create_post", security="jwt")
    @api.expect(post_model)
    @api.marshal_with(post_model, code=201)
    @login_required
    def post(self):
        """Create a new post"""
        if not request.is_json:
            api.abort(400, "Request must be JSON")
        data = request.get_json()
        if "title" not in data or "content" not in data:
            api.abort(400, "Missing title or content")
        post = Post(title=data["title"], content=data["content"], user_id=g.current_user.id)
        db.session.add(post)
        db.session.commit()
        current_app.logger.info(f"Post created: {post.title} by {g.current_user.username}")
        # The tutorial queues send_email_notification.delay(...) here: no Celery in the peer.
        cache.delete("view/api/v1/posts")  # 清除列表缓存
        return post_schema.dump(post), 201


@api.route("/<int:post_id>")
class PostResource(Resource):
    @api.doc("get_post")
    @api.marshal_with(post_model)
    @cache.cached(timeout=CACHE_TIMEOUT)  # 缓存单篇 60 秒
    def get(self, post_id):
        """Get a single post"""
        post = Post.query.get_or_404(post_id, description="Post not found")
        if post.status != "published":
            abort(404, description="Post not found")
        return post_schema.dump(post)

    @api.doc("update_post", security="jwt")
    @api.expect(post_model)
    @api.marshal_with(post_model)
    @login_required
    def put(self, post_id):
        """Update a post"""
        post = Post.query.get_or_404(post_id, description="Post not found")
        if post.user_id != g.current_user.id and not g.current_user.is_admin:
            api.abort(403, "You can only edit your own posts unless you are an admin")
        if not request.is_json:
            api.abort(400, "Request must be JSON")
        data = request.get_json()
        if "title" in data:
            post.title = data["title"]
        if "content" in data:
            post.content = data["content"]
        db.session.commit()
        current_app.logger.info(f"Post updated: {post.title} by {g.current_user.username}")
        cache.delete(f"view/api/v1/posts/{post_id}")  # 清除单篇缓存
        cache.delete("view/api/v1/posts")  # 清除列表缓存
        return post_schema.dump(post)

    @api.doc("delete_post", security="jwt")
    @login_required
    def delete(self, post_id):
        """Delete a post"""
        post = Post.query.get_or_404(post_id, description="Post not found")
        if post.user_id != g.current_user.id and not g.current_user.is_admin:
            api.abort(403, "You can only delete your own posts unless you are an admin")
        db.session.delete(post)
        db.session.commit()
        current_app.logger.info(f"Post deleted: {post.title} by {g.current_user.username}")
        cache.delete(f"view/api/v1/posts/{post_id}")
        cache.delete("view/api/v1/posts")
        return {"message": "Post deleted"}, 200


posts_bp = api
