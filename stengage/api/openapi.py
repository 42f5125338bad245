"""The OpenAPI 3.1 description of /api/v1, written by hand so that it says exactly what we promise."""

from __future__ import annotations

from typing import Any

from stengage.core.inputs import LARGEST_PAGE, LARGEST_PAGE_SIZE

STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
# The bounds every page of the site reads its page numbers with (core.inputs).
MAX_PAGE, MAX_PER_PAGE = LARGEST_PAGE, LARGEST_PAGE_SIZE
# The 4xx answers the API gives itself (JSON, see api.views); none of its operations can be refused (409).
ERROR_CODES = (400, 401, 403, 404, 405, 429)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


# A city-written text in every language written: {"en": "...", "de": "..."}.
TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": STR, "status": INT}),
    "Area": _obj({
        "slug": STR, "name": STR, "city": STR, "country_code": STR,
        "project_role": {"type": "string", "enum": ["lighthouse", "follower", "observer"]},
        "default_locale": STR, "timezone": STR, "residents": _nullable(INT), "aims": {"type": "array", "items": STR},
        "centre": _obj({"lat": NUM, "lon": NUM}),
        "bounds": _obj({"south": NUM, "west": NUM, "north": NUM, "east": NUM}),
    }),
    "Phase": _obj({"title": STR, "titles": TEXTS, "starts_at": {"type": "string", "format": "date-time"},
                   "ends_at": {"type": "string", "format": "date-time"},
                   "features": {"type": "array",
                                "items": {"type": "string", "enum": ["propose", "support", "comment"]}}}),
    "Process": _obj({"slug": STR, "area": STR, "title": STR, "description": STR, "titles": TEXTS,
                     "descriptions": TEXTS, "state": {"type": "string", "enum": ["published", "closed", "archived"]},
                     "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
                     "supports_per_resident": _nullable(INT), "support_threshold": INT,
                     "phases": {"type": "array", "items": {"$ref": "#/components/schemas/Phase"}}}),
    "Proposal": _obj({"id": INT, "area": STR, "process": STR, "title": STR, "body": STR, "category": STR,
                      "origin": {"type": "string", "enum": ["resident", "city"]}, "status": STR, "supports": INT,
                      "comments": INT, "published_on": {"type": "string", "format": "date"},
                      "location": _nullable(_obj({"lat": NUM, "lon": NUM})), "official_answer": _nullable(STR)}),
    "SummaryRow": _obj({"table": STR, "area": STR, "process": STR, "category": STR, "status": STR, "week": STR,
                        "theme": STR, "proposals": _nullable(INT), "supports": _nullable(INT),
                        "comments": _nullable(INT), "accepted": _nullable(INT), "implemented": _nullable(INT),
                        "residents": _nullable(INT), "suppressed": BOOL,
                        "reason": {"type": "string", "enum": ["", "few", "protects", "unknown"]}}),
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(item: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props = {"items": {"type": "array", "items": item}, **(extra or {})}
    return {"type": "object", "properties": props, "required": ["items"]}


ERROR_MEANING = {
    400: "Bad input: a parameter that is no whole number in its range, or control characters in the address",
    401: "No working staff token", 403: "The token's owner is no city staff any more",
    404: "Not found, or not public",
}


def _ok(schema: dict[str, Any], *errors: int) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for code in sorted({400, *errors}):  # every address can carry bad input
        responses[str(code)] = {"description": ERROR_MEANING[code],
                                "content": {"application/json": {"schema": _ref("Error")}}}
    responses["429"] = {
        "description": "Too many requests (600 a minute from one address)",
        "headers": {"Retry-After": {"description": "Seconds after which to try again", "schema": INT}},
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    return responses


SLUG = {"type": "string", "pattern": "^[a-z0-9-]{1,80}$"}


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or SLUG}


def document() -> dict[str, Any]:
    page = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "stengage open data", "version": "1.0.0",
                 "description": "Areas, processes, proposals with their counts and statuses, published governance "
                                "reports and public engagement summaries of the Smarter Together neighbourhoods. "
                                "Hidden content and personal data never appear."},
        "paths": {
            "/api/v1/areas": {"get": {"operationId": "listAreas", "responses": _ok(_list(_ref("Area")))}},
            "/api/v1/areas/{slug}": {"get": {"operationId": "getArea", "parameters": [_path("slug")],
                                             "responses": _ok(_ref("Area"), 404)}},
            "/api/v1/areas/{slug}/processes": {"get": {
                "operationId": "listProcesses", "parameters": [_path("slug")],
                "responses": _ok(_list(_ref("Process")), 404)}},
            "/api/v1/areas/{slug}/processes/{process_slug}/proposals": {"get": {
                "operationId": "listProposals", "parameters": [_path("slug"), _path("process_slug"), *page],
                "responses": _ok(_list(_ref("Proposal"), {"page": INT, "per_page": INT, "total": INT, "next": STR}),
                                 404)}},
            "/api/v1/proposals/{proposal_id}": {"get": {
                "operationId": "getProposal",
                "parameters": [_path("proposal_id", {"type": "integer", "minimum": 1, "maximum": 2147483647})],
                "responses": _ok(_ref("Proposal"), 404)}},
            "/api/v1/areas/{slug}/reports": {"get": {
                "operationId": "listReports", "parameters": [_path("slug")],
                "responses": _ok(_list(_obj({"slug": STR, "title": STR, "versions": {"type": "array", "items": INT}})),
                                 404)}},
            "/api/v1/areas/{slug}/reports/{report_slug}/versions/{number}": {"get": {
                "operationId": "getReportVersion",
                "parameters": [_path("slug"), _path("report_slug"),
                               _path("number", {"type": "integer", "minimum": 1, "maximum": 2147483647})],
                "responses": _ok(_obj({"report": STR, "version": INT, "published_at": STR, "changelog": STR,
                                       "content": {"type": "object"}}), 404)}},
            "/api/v1/areas/{slug}/summary": {"get": {
                "operationId": "getPublicSummary", "parameters": [_path("slug")],
                "responses": _ok(_obj({"area": STR, "rows": {"type": "array", "items": _ref("SummaryRow")}}), 404)}},
            "/api/v1/staff/summary": {"get": {
                "operationId": "getStaffSummary", "security": [{"staffToken": []}],
                "responses": _ok(_obj({"areas": {"type": "array", "items": STR},
                                       "rows": {"type": "array", "items": _ref("SummaryRow")}}), 401, 403)}},
        },
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"staffToken": {"type": "http", "scheme": "bearer",
                                                          "description": "A token from the staff token page."}}},
    }
