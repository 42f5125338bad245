"""Forms residents send on the participation pages, as a browser sends them (shared by the tests)."""

from datetime import timedelta

from stengage.db import utc_now
from tests.conftest import submit

NEW_PROCESS = "/areas/vienna-simmering/processes/new"


def process_url(process):
    return f"/areas/{process.area.slug}/processes/{process.slug}"


def propose(client, process, **fields):
    data = {"title": "Shade trees on Simmeringer Hauptstraße", "body": "Plant **plane trees** for shade.",
            "category": "public_space", "address": "", "latitude": "", "longitude": "", "check_similar": "0",
            **fields}
    return submit(client, f"{process_url(process)}/propose", data, page=f"{process_url(process)}/propose",
                  content_type="multipart/form-data")


def support(client, proposal, data=None, **kwargs):
    return submit(client, f"/proposals/{proposal.id}/support", data, page=f"/proposals/{proposal.id}", **kwargs)


def withdraw_support(client, proposal, data=None, **kwargs):
    return submit(client, f"/proposals/{proposal.id}/withdraw-support", data, page=f"/proposals/{proposal.id}",
                  **kwargs)


def comment(client, proposal, body, alignment="neutral", parent=None):
    data = {"body": body, "alignment": alignment}
    if parent is not None:
        data["parent_id"] = str(parent.id)
    return submit(client, f"/proposals/{proposal.id}/comments", data, page=f"/proposals/{proposal.id}")


def process_form(**overrides):
    """The process set-up form as staff fill it in: two phases from today; ``overrides`` change fields."""
    today = utc_now().date()
    data = {
        "title": "Simmering heat 2027", "description": "Waste heat for **3,000** households.",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=60)).isoformat(),
        "supports_per_resident": "5", "support_threshold": "50", "edit_window_hours": "24",
        "comments_need_verification": "y",
        "phases-0-title": "Ideas", "phases-0-starts_at": f"{today}T00:00",
        "phases-0-ends_at": f"{today + timedelta(days=20)}T00:00", "phases-0-opens_propose": "y",
        "phases-0-opens_comment": "y",
        "phases-1-title": "Supports", "phases-1-starts_at": f"{today + timedelta(days=20)}T00:00",
        "phases-1-ends_at": f"{today + timedelta(days=40)}T00:00", "phases-1-opens_support": "y",
    }
    data.update(overrides)
    # City-written texts have a field per language: the plain names stand for the area's own (German).
    renamed = {}
    for key, value in data.items():
        name = key.rsplit("-", 1)[-1]
        renamed[f"{key}_texts-de" if name in ("title", "description") else key] = value
    return renamed
