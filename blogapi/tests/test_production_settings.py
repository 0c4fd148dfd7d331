"""blogapi.settings.production, as a deployment loads it: from the environment alone, in
a process of its own (the suite itself runs on the test settings)."""

import subprocess
import sys

import pytest

from .processes import ROOT, child_env

SECRET = "a-deployment-secret-for-this-test-only-0123456789abcdef-0123"
HTTPS = {
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "TRUST_X_FORWARDED_PROTO": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = child_env(DJANGO_SETTINGS_MODULE="blogapi.settings.production", ALLOWED_HOSTS="api.example.com")
    for name in ("SECRET_KEY", "DEBUG", *HTTPS):  # whatever the environment of the run says
        environment.pop(name, None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_it_refuses_to_start_without_a_secret_key():
    for secret in (None, ""):
        completed = manage("check", **({} if secret is None else {"SECRET_KEY": secret}))

        assert completed.returncode != 0
        assert "SECRET_KEY must be set in the environment" in completed.stderr


def test_debug_is_off_by_default():
    code = "from django.conf import settings; print(settings.DEBUG)"
    shown = manage("shell", "--no-imports", "-c", code, SECRET_KEY=SECRET)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "False"


@pytest.mark.parametrize(("https", "clean"), [(HTTPS, True), ({}, False)], ids=["https-switched-on", "plain-http"])
def test_check_deploy_is_clean_once_https_is_switched_on(https, clean):
    completed = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=SECRET, **https)

    assert (completed.returncode == 0) is clean, completed.stderr
    if not clean:  # what the operator is told to switch on
        for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
            assert warning in completed.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp+tls://mailer:s3cret@mail.example.com:587", "smtp mail.example.com 587 mailer s3cret True False"),
        ("smtp+ssl://mail.example.com:465", "smtp mail.example.com 465   False True"),
        ("consolemail://", "console localhost 25   False False"),
    ],
    ids=["starttls", "tls", "console"],
)
def test_email_url_configures_the_mail_server(url, expected):
    code = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND.split('.')[-2], s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    shown = manage("shell", "--no-imports", "-c", code, SECRET_KEY=SECRET, EMAIL_URL=url)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == expected
