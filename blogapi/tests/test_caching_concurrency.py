"""The race of a reader against a writer (C1), the stampede (C8), and two server
processes sharing the cache (C1 across processes)."""

import threading

import pytest
import requests
from django.db import connection

from blogapi.caching import pages
from posts import selectors
from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD


def in_thread(target, *args):
    """Run target in a thread with its own database connection; return (thread, results)."""
    results = []

    def run():
        try:
            results.append(target(*args))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def test_a_reader_racing_a_writer_cannot_store_stale_data_under_a_live_key(monkeypatch, client_for, user):
    """The reader reads the database before the writer commits and stores its (old)
    result after the writer invalidated: the next GET must still be fresh."""
    post = PostFactory(user=user, title="old")
    url = f"/api/v1/posts/{post.pk}/"
    reader_has_read, writer_has_committed = threading.Event(), threading.Event()
    real_render = pages._render

    def render_after_the_write(request, response):
        # The view has queried the database (response.data holds "old"); hold the
        # store until the write below has committed and invalidated.
        if threading.current_thread() is not threading.main_thread():
            reader_has_read.set()
            assert writer_has_committed.wait(10)
        return real_render(request, response)

    monkeypatch.setattr(pages, "_render", render_after_the_write)
    reader, results = in_thread(lambda: client_for(None).get(url))
    assert reader_has_read.wait(10)

    updated = client_for(user).patch(url, {"title": "new"}, format="json")
    writer_has_committed.set()
    reader.join(10)

    assert updated.status_code == 200
    assert results[0].json()["title"] == "old"  # the racing reader itself saw the old row
    after = client_for(None).get(url)
    assert after.json()["title"] == "new"
    assert after["X-Cache"] == "MISS"


def test_twenty_concurrent_misses_compute_the_view_at_most_twice(monkeypatch, api):
    PostFactory.create_batch(3)
    computed = []
    real_selector = selectors.posts_published
    start = threading.Barrier(20)

    def slow_counted_selector(**kwargs):
        computed.append(1)
        import time

        time.sleep(0.3)  # a slow query: every other request arrives while it runs
        return real_selector(**kwargs)

    monkeypatch.setattr(selectors, "posts_published", slow_counted_selector)

    def get():
        start.wait(10)
        return api.__class__().get("/api/v1/posts/")

    threads = [in_thread(get) for _ in range(20)]
    for thread, _ in threads:
        thread.join(20)
    responses = [results[0] for _, results in threads]

    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.content for r in responses}) == 1
    assert len(computed) <= 2


@pytest.mark.slow
def test_a_write_through_one_process_is_fresh_through_the_other(two_servers, user):
    writer, reader = two_servers
    post = PostFactory(user=user, title="before")
    session = requests.Session()
    urls = ["/api/v1/posts/", f"/api/v1/posts/{post.pk}/", "/api/v2/posts/?ordering=title"]
    for url in urls:
        session.get(reader.url + url)
        assert session.get(reader.url + url).headers["X-Cache"] == "HIT"

    tokens = session.post(
        writer.url + "/api/v1/users/login/", json={"username": user.username, "password": PASSWORD}
    ).json()
    patched = session.patch(
        writer.url + f"/api/v1/posts/{post.pk}/",
        json={"title": "after"},
        headers={"Authorization": f"Bearer {tokens['access']}"},
    )

    assert patched.status_code == 200
    assert session.get(reader.url + f"/api/v1/posts/{post.pk}/").json()["title"] == "after"
    assert session.get(reader.url + "/api/v1/posts/").json()["results"][0]["title"] == "after"
    assert session.get(reader.url + "/api/v2/posts/?ordering=title").json()["results"][0]["title"] == "after"
