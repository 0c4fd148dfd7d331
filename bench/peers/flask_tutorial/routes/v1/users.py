"""app/routes/v1/users.py of the tutorial: the cached user list and the JWT login.

Left out: user creation and deletion (not measured; our users_user has NOT NULL columns
the tutorial's model lacks, and Django, not the database, cascades a user's rows).
"""

from datetime import UTC, datetime, timedelta

import jwt
from flask import current_app, request
from flask_restx import Namespace, Resource, fields

from ... import CACHE_TIMEOUT, cache
from ...models import User
from ...schemas import users_schema

api = Namespace("users", description="User management operations")

user_model = api.model(
    "User",
    {
        "id": fields.Integer(readonly=True),
        "username": fields.String(required=True, description="The user username"),
        "password": fields.String(required=True, description="The user password"),
        "role": fields.String(description="User role (user or admin)", default="user"),
    },
)

login_model = api.model("Login", {"username": fields.String(required=True), "password": fields.String(required=True)})


@api.route("")
class UserList(Resource):
    @api.doc("list_users")
    @api.marshal_list_with(user_model)
    @cache.cached(timeout=CACHE_TIMEOUT)  # 缓存 60 秒
    def get(self):
        """List all users"""
        users = User.query.all()
        current_app.logger.info("Fetched all users")
        return users_schema.dump(users)


@api.route("/login")
class Login(Resource):
    @api.doc("login_user")
    @api.expect(login_model)
    def post(self):
        """Login and get a JWT token"""
        if not request.is_json:
            api.abort(400, "Request must be JSON")
        data = request.get_json()
        if "username" not in data or "password" not in data:
            api.abort(400, "Missing username or password")
        user = User.query.filter_by(username=data["username"]).first()
        if not user or not user.check_password(data["password"]):
            current_app.logger.warning(f"Failed login attempt for {data['username']}")
            api.abort(401, "Invalid credentials")
        token = jwt.encode(
            {"user_id": user.id, "exp": datetime.now(UTC) + timedelta(hours=24)},
            current_app.config["SECRET_KEY"],
            algorithm="HS256",
        )
        current_app.logger.info(f"User logged in: {user.username}")
        return {"token": token}


users_bp = api
