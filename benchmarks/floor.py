"""stengage with one extra route that does no work: the fixed cost of a resident's POST.

``POST /_bench/floor`` passes what every resident's action passes (the session cookie, the user's
row, CSRF, a Redis rate limit, the response hooks) and answers like the support POST's form variant,
with a redirect. load.py serves it like stengage and prints it beside the support POST: the support
POST cannot be faster than this row on the same machine.

    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8002 --chdir benchmarks floor:app
"""

from flask import Response, current_app, redirect
from flask_login import current_user, login_required

from stengage import create_app
from stengage.extensions import limiter

app = create_app()


@app.post("/_bench/floor")
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_SUPPORT"], key_func=lambda: f"user:{current_user.get_id()}")
def floor() -> Response:
    return redirect("/")
