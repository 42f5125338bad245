"""With STENGAGE_REDIS_URL set, rate limits are shared through Redis (all workers, all hosts)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]

# Runs in its own process: Flask-Limiter keeps its storage on the extension instance, so a
# Redis-backed app must not share a process with the suite's memory-backed one.
SCRIPT = """
import json, sys
from pathlib import Path
from tests.conftest import make_test_app
app = make_test_app(Path(sys.argv[1]), WTF_CSRF_ENABLED=False, REDIS_URL=sys.argv[2],
                    RATELIMIT_KEY_PREFIX=sys.argv[3])
client = app.test_client()
codes = [client.post("/account/login", data={"email": "x@example.org", "password": "wrong-but-long"}).status_code
         for _ in range(6)]
print(json.dumps({"codes": codes, "storage": app.config["RATELIMIT_STORAGE_URI"]}))
"""


@pytest.mark.real_commits
def test_login_limits_are_counted_in_redis(redis_server, tmp_path):
    prefix = f"stengage-test-{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), REDIS_URL, prefix],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "STENGAGE_TEST_DATABASE_URL": ""},
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["storage"] == REDIS_URL
    assert outcome["codes"] == [200] * 5 + [429]
    keys = redis_server.keys(f"*{prefix}*")
    assert keys, "no rate-limit counters were written to Redis"
    redis_server.delete(*keys)
