"""Forms residents send on the participation pages, as a browser sends them (shared by the tests)."""

from tests.conftest import submit


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
