"""Cache dependency tags for posts (see blogapi.caching): views depend on them, writes drop them."""

POSTS = "posts"  # every post list, any page, filter or version
EVERY_POST = "posts:every"  # every post detail at once: for bulk writes that touch many posts


def post(pk: int) -> str:
    """One post's detail."""
    return f"post:{pk}"
