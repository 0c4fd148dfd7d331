import factory

from todos.models import Todo
from users.tests.factories import UserFactory


class TodoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Todo

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Todo number {n}")
