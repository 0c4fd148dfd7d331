"""What a cached response costs in Redis (C5, docs/CACHING.md): about its body, far less
for big JSON lists, measured by Redis itself (MEMORY USAGE), whatever the stored layout."""

from django.core.cache import cache

from posts.tests.factories import PostFactory

URL = "/api/v1/posts/?page_size=40"


def redis_bytes_of_the_one_entry() -> int:
    """Bytes Redis spends on the single cached response (its key, value and bookkeeping)."""
    keys = list(cache.iter_keys("resp:*"))
    assert len(keys) == 1, keys
    return cache.client.get_client().memory_usage(cache.make_key(keys[0]), samples=0)


def test_a_large_list_costs_less_in_redis_than_half_its_body_and_hits_with_the_same_bytes(client_for, user):
    PostFactory.create_batch(40, user=user)
    first = client_for(None).get(URL)
    second = client_for(None).get(URL)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert len(first.json()["results"]) == 40
    assert redis_bytes_of_the_one_entry() < len(first.content) / 2  # JSON lists repeat their keys


def test_a_304_for_a_large_entry_carries_the_headers_and_no_body(client_for, user):
    PostFactory.create_batch(40, user=user)
    first = client_for(None).get(URL)

    revalidated = client_for(None).get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated["ETag"] == first["ETag"]
    assert revalidated["X-Cache"] == "HIT"
    assert revalidated["Cache-Control"] == "no-cache"


def test_a_small_entry_costs_its_body_and_a_small_fixed_overhead(client_for, user):
    post = PostFactory(user=user, content="short")
    url = f"/api/v1/posts/{post.pk}/"
    first = client_for(None).get(url)

    cost = redis_bytes_of_the_one_entry()

    # Below a kilobyte compression does not pay: the body as it is, plus the key, the
    # stamp, the ETag, a few headers and Redis's own bookkeeping.
    assert len(first.content) <= cost <= len(first.content) + 400
    assert client_for(None).get(url).content == first.content
