"""The Flask tutorial's app (reference/000_6ebb48be491e6282.txt, "Flask - 缓存"), re-created.

app/__init__.py of the tutorial: create_app(), the extensions, login_required and
admin_required. What differs from the text, and why, is in README.md beside this file.
"""

import logging
import os
from functools import wraps
from logging.handlers import RotatingFileHandler

import jwt
from flask import Flask, abort, current_app, g, jsonify, request
from flask_caching import Cache
from flask_marshmallow import Marshmallow
from flask_restx import Api
from flask_sqlalchemy import SQLAlchemy

from .config import config_map

db = SQLAlchemy()
ma = Marshmallow()
cache = Cache()  # 初始化缓存
# The tutorial caches for 60 s; the bench passes a timeout longer than a run (as it does
# for ours), so no entry expires in the middle of a hit case.
CACHE_TIMEOUT = int(os.environ.get("CACHE_TIMEOUT", "60"))


def setup_logging(app):
    if not app.debug:
        handler = RotatingFileHandler(app.config["APP_LOG"], maxBytes=10000, backupCount=3)
        handler.setLevel(logging.INFO)
        formatter = logging.Formatter("%(asctime)s %(levelname)s: %(message)s [in %(pathname)s:%(lineno)d]")
        handler.setFormatter(formatter)
        app.logger.addHandler(handler)
    console_handler = logging.StreamHandler()
    console_handler.setLevel(logging.DEBUG)
    console_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s: %(message)s"))
    app.logger.addHandler(console_handler)
    app.logger.setLevel(logging.DEBUG)


def create_app():
    # Imported here, not at the top as in the tutorial: the routes import db and cache
    # from this module, which a top-level import would reach before they exist.
    from .routes.v1.posts import posts_bp as posts_v1_bp
    from .routes.v1.users import users_bp as users_v1_bp

    app = Flask(__name__)
    env = os.getenv("FLASK_ENV", "development")
    app.config.from_object(config_map[env])

    db.init_app(app)
    ma.init_app(app)
    cache.init_app(app)  # 初始化缓存
    setup_logging(app)

    api = Api(
        app,
        title="Blog API",
        version="1.0",
        description="A simple blog API with user and post management",
        doc="/api/docs/",
        authorizations={
            "jwt": {"type": "apiKey", "in": "header", "name": "Authorization", "description": 'Enter "Bearer <token>"'}
        },
    )
    # The tutorial registers each Namespace with app.register_blueprint(..., url_prefix=
    # '/api/v1'), which Flask refuses (a Namespace is not a Blueprint); add_namespace at
    # the same paths is how flask-restx mounts one.
    api.add_namespace(users_v1_bp, path="/api/v1/users")
    api.add_namespace(posts_v1_bp, path="/api/v1/posts")

    @app.errorhandler(404)
    def not_found(error):
        app.logger.error(f"404 error: {error!s}")
        return jsonify({"error": "Not Found", "message": str(error)}), 404

    @app.errorhandler(400)
    def bad_request(error):
        app.logger.warning(f"400 error: {error!s}")
        return jsonify({"error": "Bad Request", "message": str(error)}), 400

    @app.errorhandler(500)
    def internal_error(error):
        app.logger.critical(f"500 error: {error!s}")
        return jsonify({"error": "Internal Server Error", "message": "Something went wrong on our end"}), 500

    return app


def login_required(f):
    @wraps(f)
    def decorated_function(*args, **kwargs):
        from .models import User

        token = request.headers.get("Authorization")
        if not token:
            abort(401, description="Missing token")
        try:
            if token.startswith("Bearer "):
                token = token[7:]
            data = jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"])
            user = User.query.get(data["user_id"])
            if not user:
                abort(401, description="Invalid token")
            g.current_user = user
        except jwt.ExpiredSignatureError:
            abort(401, description="Token has expired")
        except jwt.InvalidTokenError:
            abort(401, description="Invalid token")
        return f(*args, **kwargs)

    return decorated_function


def admin_required(f):
    @wraps(f)
    @login_required
    def decorated_function(*args, **kwargs):
        if not g.current_user.is_admin:
            abort(403, description="Admin access required")
        return f(*args, **kwargs)

    return decorated_function
