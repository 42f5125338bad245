"""A demo process per lighthouse area, open now, with a few city measures to react to."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from stengage.accounts.models import User
from stengage.areas import lifecycle
from stengage.areas import operations as process_ops
from stengage.areas.models import Process
from stengage.areas.queries import find_area
from stengage.db import utc_now
from stengage.extensions import db
from stengage.proposals import operations as ops
from stengage.proposals.models import Category, Origin

# The demo processes' titles, description and phase names in every language the platform speaks.
DEMO_TITLES = {
    "vienna-simmering": {
        "en": "Simmering 2027: energy, mobility and public space",
        "de": "Simmering 2027: Energie, Mobilität und öffentlicher Raum",
        "fr": "Simmering 2027 : énergie, mobilité et espace public",
        "es": "Simmering 2027: energía, movilidad y espacio público",
        "it": "Simmering 2027: energia, mobilità e spazio pubblico",
        "bg": "Зимеринг 2027: енергия, мобилност и обществено пространство",
    },
    "lyon-confluence": {
        "en": "Confluence: refurbishment and gentle mobility",
        "de": "Confluence: Sanierung und sanfte Mobilität",
        "fr": "Confluence : rénovation et mobilité douce",
        "es": "Confluence: rehabilitación y movilidad sostenible",
        "it": "Confluence: riqualificazione e mobilità dolce",
        "bg": "Конфлуанс: саниране и щадяща мобилност",
    },
    "munich-neuaubing-westkreuz-freiham": {
        "en": "Neuaubing-Westkreuz: smart street lighting",
        "de": "Neuaubing-Westkreuz: smarte Straßenbeleuchtung",
        "fr": "Neuaubing-Westkreuz : éclairage public intelligent",
        "es": "Neuaubing-Westkreuz: alumbrado público inteligente",
        "it": "Neuaubing-Westkreuz: illuminazione pubblica intelligente",
        "bg": "Нойаубинг-Весткройц: интелигентно улично осветление",
    },
}
DEMO_DESCRIPTION = {
    "en": "Tell us what your neighbourhood needs, support the ideas you like and discuss the city's measures.",
    "de": "Sagen Sie uns, was Ihr Viertel braucht, unterstützen Sie die Ideen, die Ihnen gefallen, und "
          "diskutieren Sie die Maßnahmen der Stadt.",
    "fr": "Dites-nous ce dont votre quartier a besoin, soutenez les idées qui vous plaisent et discutez des "
          "mesures de la ville.",
    "es": "Cuéntenos qué necesita su barrio, apoye las ideas que le gusten y debata las medidas de la ciudad.",
    "it": "Diteci di cosa ha bisogno il vostro quartiere, sostenete le idee che vi piacciono e discutete le "
          "misure della città.",
    "bg": "Кажете ни от какво се нуждае кварталът ви, подкрепете идеите, които харесвате, и обсъдете "  # noqa: RUF001 - Bulgarian
          "мерките на града.",
}
DEMO_PHASES = (
    {"en": "Ideas, supports and discussion", "de": "Ideen, Unterstützung und Diskussion",
     "fr": "Idées, soutiens et discussion", "es": "Ideas, apoyos y debate", "it": "Idee, sostegni e discussione",
     "bg": "Идеи, подкрепа и обсъждане"},
    {"en": "Results", "de": "Ergebnisse", "fr": "Résultats", "es": "Resultados", "it": "Risultati",
     "bg": "Резултати"},
)

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
            process_ops.PhaseDraft(DEMO_PHASES[0]["en"], now - timedelta(days=7), now + timedelta(days=60),
                                   opens_propose=True, opens_support=True, opens_comment=True,
                                   title_texts=DEMO_PHASES[0]),
            process_ops.PhaseDraft(DEMO_PHASES[1]["en"], now + timedelta(days=60), now + timedelta(days=90),
                                   title_texts=DEMO_PHASES[1]),
        )
        process = process_ops.create_process(staff, area, process_ops.ProcessDraft(
            title=title, description=DEMO_DESCRIPTION["en"], starts_on=(now - timedelta(days=7)).date(),
            ends_on=(now + timedelta(days=90)).date(), supports_per_resident=10, support_threshold=25,
            edit_window_hours=24, comments_need_verification=True, phases=phases,
            title_texts=DEMO_TITLES[slug], description_texts=DEMO_DESCRIPTION))
        lifecycle.change_state(staff, process, "publish")  # the demo is live
        for measure_title, category, body, place in measures:
            draft = ops.ProposalDraft(title=measure_title, body=body, category=category,
                                      latitude=place[0] if place else None, longitude=place[1] if place else None,
                                      language="en")  # the demo measures are written in English
            ops.create_proposal(staff, process, draft, origin=Origin.CITY)
        created += 1
    return created
