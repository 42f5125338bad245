"""A bare Flask "hello world", served exactly like stengage in load.py: the ceiling of this machine.

    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 --chdir benchmarks hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
