"""wrk, the load generator: its Lua scripts (GETs with a cookie, support POSTs rotating residents)
and a run that returns wrk's summary as a dict."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

USER_AGENT = "stengage-bench/1"
COOKIE = "stengage_session"
THREADS, CONNECTIONS = 2, 8

LUA_COMMON = r"""
setcookie = 0
response = function(status, headers, body)
  local key = "c_" .. status
  _G[key] = (_G[key] or 0) + 1
  if headers["Set-Cookie"] or headers["set-cookie"] then setcookie = setcookie + 1 end
end
threads = {}
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
done = function(summary, latency, requests)
  local codes, changed = {}, 0
  for _, code in ipairs({200, 201, 204, 302, 303, 400, 403, 404, 405, 409, 429, 500, 502, 503}) do
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get("c_" .. code) or 0) end
    if n > 0 then codes[#codes + 1] = string.format('"%d": %d', code, n) end
  end
  for _, t in ipairs(threads) do changed = changed + (t:get("setcookie") or 0) end
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "non_2xx_3xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"set_cookie": %d, "codes": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, changed, table.concat(codes, ", ")))
end
"""


def wrk(port: int, path: str, script: str, seconds: int, work: Path, name: str) -> dict[str, Any]:
    lua = work / (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") + ".lua")
    lua.write_text(script + LUA_COMMON, encoding="utf-8")
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", str(lua), f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("WRKJSON "))


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def get_script(cookie: str) -> str:
    script = f'wrk.headers["User-Agent"] = {lua_string(USER_AGENT)}\n'
    if cookie:
        script += f'wrk.headers["Cookie"] = {lua_string(COOKIE + "=" + cookie)}\n'
    return script


def support_script(sessions: list[dict[str, Any]], htmx: bool, path: str | None = None) -> str:
    """Each resident in turn POSTs to its proposal's support URL and its withdraw-support URL, one
    after the other (or always to ``path``)."""
    def urls(s: dict[str, Any]) -> tuple[str, str]:
        if path:
            return path, path
        return f"/proposals/{s['proposal_id']}/support", f"/proposals/{s['proposal_id']}/withdraw-support"

    rows = ",\n".join(
        f"  {{cookie = {lua_string(s['cookie'])}, body = {lua_string('csrf_token=' + quote(s['csrf']))}, "
        f"path = {lua_string(urls(s)[0])}, withdraw = {lua_string(urls(s)[1])}}}" for s in sessions)
    return f"""
sessions = {{
{rows}
}}
nthreads = {THREADS}
htmx = {"true" if htmx else "false"}
mine, supported, n = {{}}, {{}}, 0
init = function(args)
  for i, s in ipairs(sessions) do
    if (i - 1) % nthreads == id then mine[#mine + 1] = s end
  end
end
request = function()
  n = n + 1
  local i = (n - 1) % #mine + 1
  local s = mine[i]
  local path = s.path
  if supported[i] then path = s.withdraw end
  supported[i] = not supported[i]
  local headers = {{["Content-Type"] = "application/x-www-form-urlencoded",
                   ["Cookie"] = "{COOKIE}=" .. s.cookie, ["User-Agent"] = "{USER_AGENT}"}}
  if htmx then headers["HX-Request"] = "true" end
  return wrk.format("POST", path, headers, s.body)
end
"""
