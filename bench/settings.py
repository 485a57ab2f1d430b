"""Settings for the benchmark: the app's own settings plus one route, the framework ceiling.

Everything else is production-like: DEBUG off, persistent connections, the
throttles in place (with rates high enough that the load never trips them).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_perf")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-use-in-production-0123456789")
# Production-like: the cache (lead totals, board fingerprints, throttles) is Redis, shared by the workers.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_KEY_PREFIX", "vchata-bench")
for scope in ("ANON", "USER", "AUTH"):
    os.environ.setdefault(f"THROTTLE_{scope}_RATE", "1000000/s")

from vchata.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"

# BENCH_DB_POOL=1: psycopg's connection pool instead of persistent connections, to compare the two.
if os.environ.get("BENCH_DB_POOL") == "1":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 (Django requires it with a pool)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 2}  # noqa: F405
