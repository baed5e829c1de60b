"""Settings of the benchmark process: the test profile (DEBUG off, no real mail) with the bench URLconf.

The URLconf adds the bare comparison view; it exists only in this process, never in the product.
"""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Measure the product's work, not the lockout bookkeeping of the admin login the benchmark does not use.
AXES_ENABLED = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# As in production: persistent connections, checked before reuse (config/settings/production.py).
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
