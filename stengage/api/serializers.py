"""What the open-data API says about each thing: public facts only, never who wrote what."""

from __future__ import annotations

from typing import Any

from stengage.areas.models import Area, Process
from stengage.proposals.models import Proposal


def area(a: Area) -> dict[str, Any]:
    return {
        "slug": a.slug, "name": a.name, "city": a.city, "country_code": a.country_code,
        "project_role": a.project_role.value, "default_locale": a.default_locale, "timezone": a.timezone,
        "residents": a.residents, "aims": [aim.text for aim in a.aims],
        "centre": {"lat": a.centre_lat, "lon": a.centre_lon},
        "bounds": {"south": a.bounds_south, "west": a.bounds_west, "north": a.bounds_north, "east": a.bounds_east},
    }


def process(p: Process) -> dict[str, Any]:
    return {
        "slug": p.slug, "area": p.area.slug, "title": p.title, "description": p.description,
        "titles": p.title_texts, "descriptions": p.description_texts, "state": p.state.value,
        "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
        "supports_per_resident": p.supports_per_resident, "support_threshold": p.support_threshold,
        "phases": [{"title": ph.title, "titles": ph.title_texts, "starts_at": ph.starts_at.isoformat(),
                    "ends_at": ph.ends_at.isoformat(),
                    "features": [f.value for f in ph.features]} for ph in p.phases],
    }


def proposal(p: Proposal, area_slug: str, process_slug: str) -> dict[str, Any]:
    return {
        "id": p.id, "area": area_slug, "process": process_slug, "title": p.title, "body": p.body,
        "category": p.category.value, "origin": p.origin.value, "status": p.status.value,
        "supports": p.support_count, "comments": p.comment_count,
        "published_on": p.created_at.date().isoformat(),
        "location": {"lat": p.latitude, "lon": p.longitude} if p.latitude is not None else None,
        "official_answer": p.official_answer,
    }
