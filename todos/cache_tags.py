"""Cache dependency tags for to-dos (see blogapi.caching): views depend on them, writes drop them."""

EVERY_TODO = "todos:every"  # every user's to-do views at once: for bulk writes


def todos_of(user_id: int) -> str:
    """One user's to-do list and details."""
    return f"todos:user:{user_id}"
