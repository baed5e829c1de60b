"""gunicorn settings for the web nodes. The Procfile's command-line flags (bind, workers) take precedence."""

import os

# Threaded workers (gthread): WEB_CONCURRENCY processes (about cores + 1) of GUNICORN_THREADS threads each. A thread
# waiting on PostgreSQL leaves the core to another, and connections are kept alive between requests, which sync
# workers close after each one (the load test, docs/performance.md: less CPU a request, more requests a second).
# Each thread holds its own database connection: a node opens up to workers x threads of them.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A rolling deploy sends SIGTERM: requests in flight get this long to finish before the worker exits.
graceful_timeout = 30
# Longer than nothing, shorter than the load balancer's idle timeout (60 s on most), so the balancer closes first.
keepalive = 5
# Heartbeat files in memory: a slow disk must not make the arbiter think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Trust X-Forwarded-Proto only from the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# One JSON object per access line, like the application's own logs; the request id ties the two together.
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "remote": "%(h)s"}'
)
