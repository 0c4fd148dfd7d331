"""The tutorial's marshmallow schemas (app/schemas.py of its earlier chapters).

Auto schemas over the models, limited to the fields of the tutorial's resources (our
tables carry more columns than its models had).
"""

from . import ma
from .models import Post, User


class UserSchema(ma.SQLAlchemyAutoSchema):
    class Meta:
        model = User
        fields = ("id", "username", "role")


class PostSchema(ma.SQLAlchemyAutoSchema):
    class Meta:
        model = Post
        include_fk = True
        fields = ("id", "title", "content", "category", "created_at", "user_id")


user_schema = UserSchema()
users_schema = UserSchema(many=True)
post_schema = PostSchema()
posts_schema = PostSchema(many=True)
