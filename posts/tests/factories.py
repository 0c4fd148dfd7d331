import factory

from posts.models import Post
from users.tests.factories import UserFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Post number {n}")
    content = factory.Faker("paragraph")
    category = "general"
