"""A demo process per lighthouse area, open now, with a few city measures to react to."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from stengage.accounts.models import User
from stengage.areas import operations as process_ops
from stengage.areas.models import Process
from stengage.areas.queries import find_area
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import operations as ops
from stengage.proposals.models import Category, Origin

DEMO_PROCESSES = {
    "vienna-simmering": ("Simmering 2027: energy, mobility and public space", [
        ("Solar roofs on the municipal housing blocks", Category.RENEWABLE_ENERGY,
         "Photovoltaic panels on the roofs of the municipal housing around Enkplatz, owned by a "
         "residents' energy community, to lower bills and CO2.", (48.1722, 16.4201)),
        ("Waste heat from the Simmering power plant for 3,000 households", Category.ENERGY_EFFICIENCY,
         "Connect the remaining older buildings to district heating fed by waste heat.", None),
    ]),
    "lyon-confluence": ("Confluence : rénovation et mobilité douce", [
        ("Mobility hub at the Confluence tram stop", Category.MOBILITY,
         "Car-sharing, e-bikes and cargo bikes in one place next to the tram.", (45.7411, 4.8178)),
    ]),
    "munich-neuaubing-westkreuz-freiham": ("Neuaubing-Westkreuz: smarte Straßenbeleuchtung", [
        ("Smart street lighting along Bodenseestraße", Category.STREET_LIGHTING,
         "LED lamps that dim when nobody is around and brighten for pedestrians and cyclists.",
         (48.1453, 11.4151)),
    ]),
}


def seed_demo_processes(staff: User | None) -> int:
    """Create the demo processes that are missing. Returns how many were created."""
    if staff is None:
        return 0
    created = 0
    now = utc_now()
    for slug, (title, measures) in DEMO_PROCESSES.items():
        area = find_area(slug)
        if area is None or db.session.scalar(select(Process.id).where(Process.area_id == area.id)) is not None:
            continue
        phases = (
            process_ops.PhaseDraft("Ideas, supports and discussion", now - timedelta(days=7), now + timedelta(days=60),
                                   opens_propose=True, opens_support=True, opens_comment=True),
            process_ops.PhaseDraft("Results", now + timedelta(days=60), now + timedelta(days=90)),
        )
        process = process_ops.create_process(staff, area, process_ops.ProcessDraft(
            title=title, description="Tell us what your neighbourhood needs, support the ideas you like "
            "and discuss the city's measures.", starts_on=(now - timedelta(days=7)).date(),
            ends_on=(now + timedelta(days=90)).date(), supports_per_resident=10, support_threshold=25,
            edit_window_hours=24, comments_need_verification=True, phases=phases))
        for measure_title, category, body, place in measures:
            draft = ops.ProposalDraft(title=measure_title, body=body, category=category,
                                      latitude=place[0] if place else None, longitude=place[1] if place else None,
                                      language="en")  # the demo measures are written in English
            ops.create_proposal(staff, process, draft, origin=Origin.CITY)
        created += 1
    return created
