"""A FastAPI peer: fastapi-cache2's @cache on the post list and detail, Redis backend.

    uvicorn bench.peers.fastapi_app.main:app --workers 1

Environment: DATABASE_URL (postgresql+psycopg://...), REDIS_URL (its own Redis database),
CACHE_PREFIX, CACHE_EXPIRE (seconds; the bench passes one longer than a run).
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, HTTPException, Query
from fastapi_cache import FastAPICache
from fastapi_cache.backends.redis import RedisBackend
from fastapi_cache.decorator import cache
from pydantic import BaseModel, ConfigDict
from redis import asyncio as aioredis
from sqlalchemy import select

from .database import Post, SessionLocal, engine

CACHE_EXPIRE = int(os.environ.get("CACHE_EXPIRE", "60"))


class PostOut(BaseModel):
    """A v1 post, as the tutorial and our v1 show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    content: str
    category: str
    created_at: datetime
    user_id: int


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    redis = aioredis.from_url(os.environ["REDIS_URL"])
    FastAPICache.init(RedisBackend(redis), prefix=os.environ.get("CACHE_PREFIX", "fastapi-cache"))
    yield
    await redis.aclose()
    await engine.dispose()


app = FastAPI(title="Blog API (FastAPI peer)", lifespan=lifespan)

# The session is opened inside each endpoint, not injected with Depends: fastapi-cache2's
# default key builder hashes the endpoint's arguments, and a session object among them
# would make every key unique (a cache that never hits).


@app.get("/api/v1/posts")
@cache(expire=CACHE_EXPIRE)
async def list_posts(
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
    user_id: int | None = None,
) -> list[PostOut]:
    """Published posts, newest first, one page of them."""
    query = select(Post).where(Post.status == "published").order_by(Post.created_at.desc(), Post.id.desc())
    if user_id is not None:
        query = query.where(Post.user_id == user_id)
    async with SessionLocal() as session:
        posts = await session.scalars(query.offset((page - 1) * page_size).limit(page_size))
        return [PostOut.model_validate(post) for post in posts]


@app.get("/api/v1/posts/{post_id}")
@cache(expire=CACHE_EXPIRE)
async def get_post(post_id: int) -> PostOut:
    """One published post."""
    async with SessionLocal() as session:
        post = await session.scalar(select(Post).where(Post.id == post_id, Post.status == "published"))
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return PostOut.model_validate(post)
