"""What a cached response costs in the cache (C5): about its body, far less for big JSON lists."""

from django.core.cache import cache

from posts.tests.factories import PostFactory

URL = "/api/v1/posts/?page_size=40"


def stored_entry() -> tuple[str, bytes]:
    keys = list(cache.iter_keys("resp:*"))
    assert len(keys) == 1
    return keys[0], cache.get(keys[0])


def test_a_large_list_costs_less_in_redis_than_its_body_and_hits_with_the_same_bytes(client_for, user):
    PostFactory.create_batch(40, user=user)
    first = client_for(None).get(URL)
    second = client_for(None).get(URL)

    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert len(first.json()["results"]) == 40
    key, entry = stored_entry()
    assert len(entry) < len(first.content) / 2  # compressed: JSON lists repeat their keys
    redis_bytes = cache.client.get_client().memory_usage(cache.make_key(key), samples=0)
    assert redis_bytes < len(first.content)


def test_a_304_for_a_compressed_entry_carries_the_headers_and_no_body(client_for, user):
    PostFactory.create_batch(40, user=user)
    first = client_for(None).get(URL)

    revalidated = client_for(None).get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated["ETag"] == first["ETag"]
    assert revalidated["X-Cache"] == "HIT"
    assert revalidated["Cache-Control"] == "no-cache"


def test_a_small_body_is_stored_as_it_is_sent(client_for, user):
    post = PostFactory(user=user, content="short")
    url = f"/api/v1/posts/{post.pk}/"
    first = client_for(None).get(url)

    _, entry = stored_entry()

    assert entry.endswith(b"\n" + first.content)  # below a kilobyte compression does not pay
    assert client_for(None).get(url).content == first.content
