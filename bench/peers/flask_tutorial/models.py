"""The tutorial's User and Post (app/models.py of its earlier chapters), on our tables.

Mapped onto the tables Django's migrations made (`users_user`, `posts_post`), so this app
serves the same rows as ours; Django owns the schema, so there is no db.create_all().
Only the columns the tutorial's models have, plus what an INSERT into our tables needs
(`status`, `updated_at`): the other NOT NULL columns of users_user are never written here.
"""

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from . import db


def utcnow():
    return datetime.now(UTC)


class User(db.Model):
    __tablename__ = "users_user"

    id = db.Column(db.BigInteger, primary_key=True)
    username = db.Column(db.String(150), unique=True, nullable=False)
    password = db.Column(db.String(128), nullable=False)
    role = db.Column(db.String(10), nullable=False, default="user")

    def check_password(self, password):
        # The tutorial checks a Flask-Bcrypt hash; these rows hold Django's
        # `pbkdf2_sha256$<iterations>$<salt>$<hash>`, checked the same way Django does.
        algorithm, iterations, salt, expected = self.password.split("$", 3)
        if algorithm != "pbkdf2_sha256":
            return False
        derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
        return hmac.compare_digest(base64.b64encode(derived).decode(), expected)

    @property
    def is_admin(self):
        return self.role == "admin"


class Post(db.Model):
    __tablename__ = "posts_post"

    id = db.Column(db.BigInteger, primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    content = db.Column(db.Text, nullable=False)
    category = db.Column(db.String(50), nullable=False, default="general")
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    user_id = db.Column(db.BigInteger, db.ForeignKey("users_user.id"), nullable=False)
    # Ours, not the tutorial's: moderation, and the NOT NULL timestamp of the last edit.
    status = db.Column(db.String(10), nullable=False, default="published")
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
