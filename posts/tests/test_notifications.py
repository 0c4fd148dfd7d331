"""The notification e-mail a post's author receives, run in this process (tasks eager, as
with no broker configured): its content, sent once, and the cases that send nothing."""

from django.conf import settings
from django.core import mail
from django.urls import reverse

from posts.models import Post
from posts.services import post_create
from posts.tasks import send_post_notification
from posts.tests.factories import PostFactory
from users.tests.factories import UserFactory


def test_creating_a_post_emails_its_author_a_text_and_an_html_version(client_for, user):
    response = client_for(user).post(
        reverse("v1:post-list"),
        {"title": "Tips & <tricks>", "content": "Line one.\nLine two.", "category": "howto"},
        format="json",
    )

    assert response.status_code == 201
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Your post “Tips & <tricks>” is published"
    assert message.body.startswith("Hi alice,\n\nyour post “Tips & <tricks>” is published in the category “howto”.")
    assert "Line one.\nLine two." in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "your post <strong>“Tips &amp; &lt;tricks&gt;”</strong> is published" in html
    assert "Line one.<br>Line two." in html
    assert Post.objects.get(pk=response.json()["id"]).notified_at is not None


def test_a_title_with_line_breaks_still_gives_a_one_line_subject(user):
    post_create(user=user, title="Broken\r\n  title", content="Body.")

    [message] = mail.outbox
    assert message.subject == "Your post “Broken title” is published"


def test_running_the_task_again_for_a_post_sends_nothing_more(user):
    post = post_create(user=user, title="Once", content="Body.")
    notified_at = Post.objects.get(pk=post.pk).notified_at

    result = send_post_notification.delay(post.pk)  # a redelivery

    assert result.successful()
    assert len(mail.outbox) == 1
    assert Post.objects.get(pk=post.pk).notified_at == notified_at


def test_a_post_deleted_before_its_task_runs_is_skipped():
    post = PostFactory()  # created without the service: no task queued
    post_id = post.pk
    post.delete()

    result = send_post_notification.delay(post_id)

    assert result.successful()
    assert mail.outbox == []


def test_an_author_without_an_email_address_gets_nothing(client_for):
    author = UserFactory(username="anon", email="")

    response = client_for(author).post(reverse("v1:post-list"), {"title": "Quiet", "content": "Body."}, format="json")

    assert response.status_code == 201
    assert mail.outbox == []
    assert Post.objects.get(pk=response.json()["id"]).notified_at is None


def test_a_temporary_smtp_failure_is_retried_until_the_email_goes_out(smtp, user):
    smtp.faults.extend(["451 4.3.0 Try again later", "drop"])  # eager: the retries run at once

    post = post_create(user=user, title="Retried", content="Body.")

    [message] = smtp.messages
    assert str(message["To"]) == "alice@example.com"
    assert smtp.data_commands == 3
    assert Post.objects.get(pk=post.pk).notified_at is not None


def test_an_address_the_server_rejects_for_good_is_not_retried(smtp, user):
    smtp.rcpt_faults.append("550 5.1.1 No such mailbox")  # a retry would be accepted

    post = post_create(user=user, title="Bounced", content="Body.")

    assert smtp.messages == []
    assert smtp.rcpt_commands == 1
    # Settled, as a bounce would be: neither the task nor the sweep tries it again.
    assert Post.objects.get(pk=post.pk).notified_at is not None


def test_an_address_refused_for_now_is_retried(smtp, user):
    smtp.rcpt_faults.append("452 4.2.2 Mailbox full")

    post_create(user=user, title="Later", content="Body.")

    assert len(smtp.messages) == 1
    assert smtp.rcpt_commands == 2
