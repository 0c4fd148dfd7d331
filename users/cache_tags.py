"""Cache dependency tags for users (see blogapi.caching): views depend on them, signals drop them."""

USERS = "users"  # every user list
AUTHORS = "authors"  # every response that embeds a user's name (v2 posts)


def user(pk: int) -> str:
    """One user's detail and /me."""
    return f"user:{pk}"
