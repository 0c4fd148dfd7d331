"""Failed logins are limited per username and per client address (429 with Retry-After),
also under concurrent guessing; a success clears the username's count."""

import contextlib
import threading

from django.conf import settings
from django.db import connections
from django.urls import reverse

from conftest import CheckedAPIClient
from users import services
from users.tests.conftest import LOGIN_WINDOW as WINDOW
from users.tests.factories import PASSWORD, UserFactory

LOGIN = reverse("v1:user-login")
RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
PER_USERNAME = int(RATES["login_username"].split("/")[0])  # 5 by default
PER_ADDRESS = int(RATES["login_address"].split("/")[0])  # 20 by default


def login(api, username, password, address="127.0.0.1"):
    return api.post(LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def fail(api, username, times, address="127.0.0.1"):
    statuses = [login(api, username, "wrong-password", address).status_code for _ in range(times)]
    assert statuses == [401] * times


def assert_throttled(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= WINDOW
    assert response.json() == {
        "error": "Too Many Requests",
        "message": f"Request was throttled. Expected available in {response['Retry-After']} seconds.",
    }


def test_it_refuses_even_the_right_password_once_a_username_used_its_failures(api, user, frozen_clock):
    fail(api, "alice", PER_USERNAME)

    assert_throttled(login(api, "alice", PASSWORD))


def test_retry_after_counts_down_to_the_end_of_the_window(api, user, frozen_clock):
    fail(api, "alice", PER_USERNAME)

    frozen_clock[0] += 20
    response = login(api, "alice", PASSWORD)

    assert_throttled(response)
    assert int(response["Retry-After"]) == WINDOW - 20


def test_the_username_may_try_again_once_the_window_is_over(api, user, frozen_clock):
    fail(api, "alice", PER_USERNAME)
    assert_throttled(login(api, "alice", PASSWORD))

    frozen_clock[0] += WINDOW

    assert login(api, "alice", PASSWORD).status_code == 200


def test_the_username_count_ignores_letter_case(api, user, frozen_clock):
    fail(api, "ALICE", PER_USERNAME - 1)
    fail(api, "Alice", 1)

    assert_throttled(login(api, "alice", PASSWORD))


def test_the_username_count_holds_across_client_addresses(api, user, frozen_clock):
    for attempt in range(PER_USERNAME):
        fail(api, "alice", 1, address=f"10.0.0.{attempt + 1}")

    assert_throttled(login(api, "alice", PASSWORD, address="10.0.1.1"))


def test_a_throttled_username_does_not_lock_out_other_users(api, user, other_user, frozen_clock):
    fail(api, "alice", PER_USERNAME)

    assert login(api, "bob", PASSWORD).status_code == 200


def test_a_success_clears_the_username_count(api, user, frozen_clock):
    fail(api, "alice", PER_USERNAME - 1)
    assert login(api, "alice", PASSWORD).status_code == 200

    fail(api, "alice", PER_USERNAME)

    assert_throttled(login(api, "alice", PASSWORD))


def test_an_address_is_limited_across_usernames(api, other_user, frozen_clock):
    for attempt in range(PER_ADDRESS):
        fail(api, f"guess{attempt}", 1)

    assert_throttled(login(api, "bob", PASSWORD))
    assert login(api, "bob", PASSWORD, address="10.9.9.9").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(api, other_user, frozen_clock):
    for attempt in range(PER_ADDRESS):
        response = api.post(
            LOGIN,
            {"username": f"guess{attempt}", "password": "wrong-password"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
        assert response.status_code == 401

    assert_throttled(login(api, "bob", PASSWORD))


def test_successes_do_not_count_against_the_address(api, user, frozen_clock):
    for _ in range(PER_ADDRESS + 5):
        assert login(api, "alice", PASSWORD).status_code == 200


def test_a_success_does_not_clear_the_address_count(api, user, frozen_clock):
    for attempt in range(PER_ADDRESS - 1):
        fail(api, f"guess{attempt}", 1)
    assert login(api, "alice", PASSWORD).status_code == 200
    fail(api, "one-more-guess", 1)

    assert_throttled(login(api, "alice", PASSWORD))


def test_attempts_refused_for_the_username_do_not_use_up_the_address(api, user, other_user, frozen_clock):
    fail(api, "alice", PER_USERNAME)
    for _ in range(PER_ADDRESS):
        assert_throttled(login(api, "alice", "wrong-password"))

    assert login(api, "bob", PASSWORD).status_code == 200


def test_concurrent_guesses_cannot_exceed_the_username_limit(user, frozen_clock, monkeypatch):
    # Every guess waits at the password check until all of them got there: a check-then-count
    # throttle would let every one of them through.
    guesses = PER_USERNAME * 3
    at_the_check = threading.Barrier(guesses, timeout=1)
    real_authenticate = services.authenticate

    def authenticate_once_all_arrived(*args, **kwargs):
        # Fewer than all arriving breaks the barrier: the throttle refused the rest, as it should.
        with contextlib.suppress(threading.BrokenBarrierError):
            at_the_check.wait()
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", authenticate_once_all_arrived)
    statuses = []

    def guess() -> None:
        try:
            statuses.append(login(CheckedAPIClient(), "alice", "wrong-password").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [401] * PER_USERNAME + [429] * (guesses - PER_USERNAME)


def test_it_counts_an_inactive_users_login_as_a_failure(api, frozen_clock):
    UserFactory(username="gone", is_active=False)

    fail(api, "gone", PER_USERNAME)

    assert_throttled(login(api, "gone", PASSWORD))
