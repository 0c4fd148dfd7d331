"""One username, two claims (found by fuzzing): two requests racing for it, or two spellings
of it that Unicode normalization makes one. The unique constraint decides, the loser gets
the same 400 the serializer gives, never a 500; and a name is validated as it is stored.

The race is made to happen every run: the first request through validation is held just
before its write until the second one has written.
"""

import threading

from django.db import connections

from conftest import CheckedAPIClient
from users import services
from users.models import User

TAKEN = {"username": ["A user with that username already exists."]}


def race(monkeypatch, service_name: str, send) -> list:
    real_service = getattr(services, service_name)
    second_wrote = threading.Event()
    calls = []

    def held_until_the_other_wrote(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            second_wrote.wait(timeout=10)
            return real_service(**kwargs)
        try:
            return real_service(**kwargs)
        finally:
            second_wrote.set()

    monkeypatch.setattr(services, service_name, held_until_the_other_wrote)
    responses = []

    def in_a_thread(number: int) -> None:
        try:
            responses.append(send(number))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=in_a_thread, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 2, "both requests must pass validation for the race to happen"
    return responses


def test_two_registrations_of_one_username_at_once_create_one_user(monkeypatch):
    def register(number: int):
        body = {"username": "zed", "password": f"S3cure-pass-{number}"}
        return CheckedAPIClient().post("/api/v1/users/", body, format="json")

    responses = race(monkeypatch, "user_register", register)

    assert sorted(response.status_code for response in responses) == [201, 400]
    loser = next(response for response in responses if response.status_code == 400)
    assert loser.json() == {"error": "Bad Request", "message": "Invalid input.", "fields": TAKEN}
    assert User.objects.filter(username="zed").count() == 1


def test_two_users_renaming_themselves_to_one_name_at_once_get_one_rename(monkeypatch, user, other_user):
    clients = [CheckedAPIClient().authenticate_as(user), CheckedAPIClient().authenticate_as(other_user)]

    def rename(number: int):
        return clients[number].patch("/api/v2/users/me/", {"username": "zed"}, format="json")

    responses = race(monkeypatch, "user_update_profile", rename)

    assert sorted(response.status_code for response in responses) == [200, 400]
    assert next(response for response in responses if response.status_code == 400).json()["fields"] == TAKEN
    assert User.objects.filter(username="zed").count() == 1
    assert set(User.objects.values_list("username", flat=True)) & {"alice", "bob"}  # the loser kept its name


def test_a_name_that_normalizes_to_a_taken_one_is_refused_like_the_taken_one(api):
    """Stored names are NFKC-normalized: "\u017fam" (long s) is "sam", checked as such (found
    by fuzzing as a 500: the uniqueness check saw one name, the database the other)."""
    assert (
        api.post("/api/v1/users/", {"username": "sam", "password": "S3cure-pass-1"}, format="json").status_code == 201
    )

    response = api.post("/api/v1/users/", {"username": "\u017fam", "password": "S3cure-pass-2"}, format="json")

    assert (response.status_code, response.json()["fields"]) == (400, TAKEN)
    assert list(User.objects.values_list("username", flat=True)) == ["sam"]


def test_a_name_is_validated_as_it_will_be_stored(client_for, user):
    alice = client_for(user)

    ligature = alice.patch("/api/v2/users/me/", {"username": "\ufb01sh"}, format="json")  # "fish", one glyph
    dotted = alice.patch("/api/v2/users/me/", {"username": "\u013fuke"}, format="json")  # "L\u00b7uke": no letter

    assert (ligature.status_code, ligature.json()["username"]) == (200, "fish")
    assert (dotted.status_code, list(dotted.json()["fields"])) == (400, ["username"])
    assert client_for(user).get("/api/v2/users/me/").json()["username"] == "fish"
