"""Django's Redis cache backend, with one redis.Redis client per server instead of one per call.

Django's RedisCacheClient.get_client() builds a new redis.Redis object for every cache operation,
and redis-py fills a dictionary of about a hundred response callbacks each time: over a third of
a cached page's cache time went there (bench/breakdown.py). A redis.Redis client is safe to share
between threads (its connection pool is), and a forked worker's pool reconnects by itself, so
keeping one per server changes nothing else.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
