"""Settings for the benchmark: the app's own settings plus one route, the framework ceiling.

Everything else is production-like: DEBUG off, persistent connections, the
throttles in place (with rates high enough that the load never trips them).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_perf")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-use-in-production-0123456789")
for scope in ("ANON", "USER", "AUTH"):
    os.environ.setdefault(f"THROTTLE_{scope}_RATE", "1000000/s")

from vchata.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
