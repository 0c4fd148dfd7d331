"""The user lists cost a fixed number of queries, however many users there are; a cached
answer costs none."""

import pytest
from django.urls import reverse

from users.tests.factories import UserFactory


@pytest.mark.parametrize("users", [3, 30])
def test_the_v1_list_costs_two_queries_then_none(api, django_assert_num_queries, users):
    UserFactory.create_batch(users)

    # 1: SELECT COUNT(*) of active users (page-number pagination), 2: SELECT the page's rows.
    # Anonymous: no authentication query.
    with django_assert_num_queries(2):
        miss = api.get(reverse("v1:user-list"))
    # The same request again comes from the cache, with no query at all.
    with django_assert_num_queries(0):
        hit = api.get(reverse("v1:user-list"))

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert miss.json()["count"] == users
    assert hit.content == miss.content


@pytest.mark.parametrize("users", [3, 30])
def test_the_v2_list_costs_one_query_then_none(api, django_assert_num_queries, users):
    UserFactory.create_batch(users)

    # 1: SELECT the page's rows (cursor pagination needs no COUNT).
    with django_assert_num_queries(1):
        miss = api.get(reverse("v2:user-list"))
    with django_assert_num_queries(0):
        hit = api.get(reverse("v2:user-list"))

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert len(miss.json()["results"]) == min(users, 20)
    assert hit.content == miss.content


@pytest.mark.parametrize("users", [3, 30])
def test_an_authenticated_list_adds_only_the_callers_lookup(client_for, user, django_assert_num_queries, users):
    UserFactory.create_batch(users)
    api = client_for(user)

    # 1: SELECT the caller (JWT authentication), 2: COUNT, 3: the page's rows.
    with django_assert_num_queries(3):
        assert api.get(reverse("v1:user-list"))["X-Cache"] == "MISS"
    # A hit authenticates the caller from the user held under their row (a write to it,
    # a deletion say, drops it: users/tests/test_authentication_held.py): no query at all.
    with django_assert_num_queries(0):
        assert api.get(reverse("v1:user-list"))["X-Cache"] == "HIT"


def test_the_detail_costs_one_query_then_none(api, user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert api.get(reverse("v1:user-detail", args=[user.pk]))["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        assert api.get(reverse("v1:user-detail", args=[user.pk]))["X-Cache"] == "HIT"


def test_me_costs_the_callers_lookup_only(client_for, user, django_assert_num_queries):
    api = client_for(user)

    # 1: SELECT the caller (JWT authentication); the profile is serialized from that row.
    with django_assert_num_queries(1):
        assert api.get(reverse("v1:user-me"))["X-Cache"] == "MISS"
    with django_assert_num_queries(0):  # the caller is held, the profile cached
        assert api.get(reverse("v1:user-me"))["X-Cache"] == "HIT"
