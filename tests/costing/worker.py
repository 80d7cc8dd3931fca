"""Real Celery workers for the batch tests: a Redis broker, the project's Celery app pointed at
it, a worker in a thread of the test process (celery.contrib.testing) or in a process of its own
(`celery -A config worker`, which a test can kill).

The broker is CELERY_TEST_BROKER_URL (default redis://127.0.0.1:6379/15). When that variable is
set, Redis must answer (CI sets it and starts Redis): the tests fail if it does not. When it is
not set and nothing answers on the default URL, the tests are skipped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
PROJECT = Path(__file__).resolve().parents[2]


def broker_url_for_tests() -> str:
    """The Redis database the worker tests may use (and flush)."""
    configured = os.environ.get("CELERY_TEST_BROKER_URL")
    url = configured or DEFAULT_BROKER_URL
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        if configured:
            pytest.fail(f"CELERY_TEST_BROKER_URL={url} is set but Redis does not answer: {error}")
        pytest.skip(f"no Redis at {url} ({error}); set CELERY_TEST_BROKER_URL to run these tests")
    return url


def flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _reset_connections(app) -> None:
    """Forget the app's broker connection pools and result backend, so that the next use
    builds them from the configuration as it is now."""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextmanager
def app_on_broker(url: str, **options: Any) -> Iterator[Any]:
    """config.celery.app sending to (and storing results in) the Redis test database instead of
    running tasks in-process; the configuration is put back afterwards."""
    from config.celery import app

    changes = {
        "broker_url": url,
        "result_backend": url,
        "task_always_eager": False,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,  # leave pytest's logging alone
        **options,
    }
    saved = {key: app.conf.get(key) for key in changes}
    flush(url)
    app.conf.update(changes)
    _reset_connections(app)
    try:
        yield app
    finally:
        _reset_connections(app)
        app.conf.update(saved)
        flush(url)


@contextmanager
def thread_worker(app, *, pool: str = "solo", concurrency: int = 1) -> Iterator[Any]:
    """A real worker consuming from the broker, in a thread of this process (its tasks use
    their own database connections, so the test's data must be committed)."""
    from celery.contrib.testing.worker import start_worker

    # The worker would run Django's system checks as it starts (slow, and they are not what is
    # tested here).
    skip_checks = os.environ.get("CELERY_SKIP_CHECKS")
    os.environ["CELERY_SKIP_CHECKS"] = "1"
    try:
        with start_worker(
            app,
            pool=pool,
            concurrency=concurrency,
            perform_ping_check=False,
            shutdown_timeout=60,
            loglevel="WARNING",
        ) as worker:
            yield worker
    finally:
        if skip_checks is None:
            os.environ.pop("CELERY_SKIP_CHECKS", None)
        else:
            os.environ["CELERY_SKIP_CHECKS"] = skip_checks


class WorkerProcess:
    """`celery -A config worker` in a process of its own, on the test database: it can be
    killed like a crashed server."""

    def __init__(self, broker_url: str, database_url: str, pool: str = "solo", **env: str):
        self.log = tempfile.NamedTemporaryFile(
            "w+", prefix="celery-worker-", suffix=".log", delete=False
        )
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                pool,
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "warning",
                "-n",
                f"killable-{os.getpid()}@%h",
            ],
            cwd=PROJECT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, no rollback sent to the database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def close(self) -> None:
        try:
            self.kill()
        finally:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)


@contextmanager
def published_tasks() -> Iterator[list[str]]:
    """The ids of the tasks sent to the broker meanwhile."""
    from celery.signals import after_task_publish

    ids: list[str] = []

    def record(sender=None, headers=None, **kwargs):
        ids.append((headers or {}).get("id"))

    after_task_publish.connect(record, weak=False)
    try:
        yield ids
    finally:
        after_task_publish.disconnect(record)


def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float = 30,
    what: str = "the condition",
    details: Callable[[], str] | None = None,
) -> Any:
    """Poll until `condition()` is truthy and return it; fail after `timeout` seconds (with
    `details()`, e.g. a worker's log, in the message)."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            more = f"\n{details()}" if details else ""
            pytest.fail(f"timed out after {timeout}s waiting for {what}{more}")
        time.sleep(0.05)


def other_sessions_in_transaction() -> int:
    """Other PostgreSQL sessions on the test database still inside a transaction (a killed
    worker's, until the server notices that its client is gone and rolls it back)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]
