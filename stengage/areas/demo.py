"""The eight areas of the Smarter Together project, as the source newsletter describes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from stengage.areas.models import Area, AreaAim, AreaPostcode, ProjectRole, normalise_postcode
from stengage.extensions import db


@dataclass(frozen=True)
class AreaSeed:
    slug: str
    name: str
    city: str
    country_code: str
    project_role: ProjectRole
    default_locale: str
    timezone: str
    residents: int | None
    summary: str
    centre: tuple[float, float]
    bounds: tuple[float, float, float, float]  # south, west, north, east
    postcodes: tuple[str, ...]
    aims: tuple[str, ...] = field(default=())


FOLLOWER_SUMMARY = (
    "A follower city of Smarter Together: it learns from the lighthouse cities Lyon, Munich and "
    "Vienna and tries their solutions for its own smart-city strategy."
)
OBSERVER_SUMMARY = (
    "An observer city of Smarter Together, following the work of the lighthouse and follower "
    "cities."
)

DEMO_AREAS: tuple[AreaSeed, ...] = (
    AreaSeed(
        "lyon-confluence", "Lyon Confluence", "Lyon", "FR", ProjectRole.LIGHTHOUSE, "fr",
        "Europe/Paris", None,
        "One of the largest urban redevelopment projects in France, between the Rhône and the "
        "Saône, where residents help shape refurbishment, local energy and mobility.",
        (45.7405, 4.8185), (45.7280, 4.8060, 45.7530, 4.8320), ("69002",),
        (
            "Refurbish existing buildings",
            "Develop local renewable energy production",
            "Reduce the use of conventional cars by providing alternative means of transport",
            "Develop a data platform to monitor energy production and consumption in the area",
            "Involve citizens in the redevelopment of the Lyon Confluence area",
            "Increase the quality of life with comfortable and affordable housing and offices",
        ),
    ),
    AreaSeed(
        "munich-neuaubing-westkreuz-freiham", "Neuaubing-Westkreuz/Freiham", "Munich", "DE",
        ProjectRole.LIGHTHOUSE, "de", "Europe/Berlin", 30000,
        "Munich's Smarter Together district in the west of the city, where a framework strategy "
        "brings smart-city technology to existing and new neighbourhoods.",
        (48.1440, 11.4250), (48.1200, 11.3800, 48.1650, 11.4600),
        ("81241", "81243", "81245", "81248", "81249"),
        (
            "Cut CO2 emissions by more than 20 %",
            "Increase the use of renewable energy to above 20 %",
            "Increase energy efficiency by more than 20 %",
            "Be carbon-neutral in Neuaubing-Westkreuz/Freiham by 2050",
            "Install smart energy-efficient street lighting",
            "Refurbish housing to reduce energy consumption, aiming at 100 % renewable energy",
        ),
    ),
    AreaSeed(
        "vienna-simmering", "Simmering", "Vienna", "AT", ProjectRole.LIGHTHOUSE, "de",
        "Europe/Vienna", 21000,
        "The central part of Vienna's Simmering district, where smart solutions for "
        "refurbishment, energy, mobility and ICT reach around 21,000 residents.",
        (48.1700, 16.4210), (48.1500, 16.3950, 48.1900, 16.4550), ("1110",),
        (
            "Increase the share of renewable energy in local energy consumption",
            "Reduce the use of conventional energy sources, energy dependency and CO2 emissions",
            "Stabilise energy prices and provide affordable energy to inhabitants",
            "Increase residents' involvement",
            "Use waste heat and solar heat for 3,000 households",
            "Monitor and optimise the energy systems",
        ),
    ),
    AreaSeed(
        "santiago-de-compostela", "Santiago de Compostela", "Santiago de Compostela", "ES",
        ProjectRole.FOLLOWER, "es", "Europe/Madrid", None, FOLLOWER_SUMMARY,
        (42.8782, -8.5448), (42.8500, -8.5800, 42.9100, -8.5000),
        ("15701", "15702", "15703", "15704", "15705", "15706", "15707"),
    ),
    AreaSeed(
        "sofia", "Sofia", "Sofia", "BG", ProjectRole.FOLLOWER, "bg", "Europe/Sofia", None,
        FOLLOWER_SUMMARY,
        (42.6977, 23.3219), (42.6600, 23.2700, 42.7300, 23.3800),
        ("1000", "1111", "1113", "1124", "1164"),
    ),
    AreaSeed(
        "venice", "Venice", "Venice", "IT", ProjectRole.FOLLOWER, "it", "Europe/Rome", None,
        FOLLOWER_SUMMARY,
        (45.4408, 12.3155), (45.4000, 12.2000, 45.5200, 12.3800),
        ("30121", "30122", "30123", "30124", "30125", "30126", "30135", "30170", "30171",
         "30172", "30173", "30174", "30175"),
    ),
    AreaSeed(
        "kyiv", "Kyiv", "Kyiv", "UA", ProjectRole.OBSERVER, "uk", "Europe/Kyiv", None,
        OBSERVER_SUMMARY,
        (50.4501, 30.5234), (50.4000, 30.4500, 50.5000, 30.6000),
        ("01001", "01004", "01010", "01011", "01021", "01024"),
    ),
    AreaSeed(
        "yokohama", "Yokohama", "Yokohama", "JP", ProjectRole.OBSERVER, "ja", "Asia/Tokyo", None,
        OBSERVER_SUMMARY,
        (35.4437, 139.6380), (35.4000, 139.5800, 35.4900, 139.6900),
        ("220-0011", "220-0012", "231-0001", "231-0023"),
    ),
)


def seed_demo_areas(progress: Callable[[str], None] | None = None) -> int:
    """Create the areas that are missing; existing ones (and their edits) are kept. Returns how many were created."""
    existing = set(db.session.scalars(select(Area.slug)))
    created = 0
    for position, seed in enumerate(DEMO_AREAS):
        if progress:
            progress(seed.slug)
        if seed.slug in existing:
            continue
        south, west, north, east = seed.bounds
        area = Area(
            slug=seed.slug, name=seed.name, city=seed.city, country_code=seed.country_code,
            project_role=seed.project_role, default_locale=seed.default_locale,
            timezone=seed.timezone, residents=seed.residents, summary=seed.summary,
            centre_lat=seed.centre[0], centre_lon=seed.centre[1], bounds_south=south,
            bounds_west=west, bounds_north=north, bounds_east=east, position=position,
        )
        area.aims = [AreaAim(position=i, text=text) for i, text in enumerate(seed.aims)]
        area.postcodes = [AreaPostcode(postcode=normalise_postcode(p)) for p in seed.postcodes]
        db.session.add(area)
        created += 1
    db.session.flush()
    return created
