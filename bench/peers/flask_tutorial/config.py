"""The tutorial's `config_map` (from its earlier chapters), read from the environment.

`FLASK_ENV` picks the class, as in the tutorial's create_app; the bench runs `production`
(DEBUG off, as our API runs its production settings).
"""

import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///app.db")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # The tutorial's homework: Redis instead of the in-process 'simple' cache.
    CACHE_TYPE = "RedisCache"
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "redis://127.0.0.1:6379/7")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "flask_cache_")
    CACHE_DEFAULT_TIMEOUT = 300  # 默认缓存 5 分钟, as the tutorial
    APP_LOG = os.environ.get("APP_LOG", "app.log")


class DevelopmentConfig(Config):
    DEBUG = True


class ProductionConfig(Config):
    DEBUG = False


config_map = {"development": DevelopmentConfig, "production": ProductionConfig}
