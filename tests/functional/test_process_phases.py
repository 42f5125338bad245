"""Any number of phases (up to 40), added and removed without JavaScript, errors named per phase;
titles and descriptions written per language and read in the reader's language with a fallback."""

import re
from datetime import timedelta

from sqlalchemy import select

from stengage.areas.models import Process
from stengage.db import utc_now
from stengage.extensions import db
from tests import factories
from tests.conftest import login_as, submit
from tests.participation import NEW_PROCESS as NEW
from tests.participation import process_form, process_url


def _phase_rows(page: str) -> int:
    return len(re.findall(r'name="phases-\d+-starts_at"', page))


def _many_phases(count: int) -> dict[str, str]:
    today = utc_now().date()
    data = process_form(**{"ends_on": (today + timedelta(days=count + 1)).isoformat()})
    data = {k: v for k, v in data.items() if not k.startswith("phases-")}
    for n in range(count):
        data |= {f"phases-{n}-title_texts-de": f"Phase Nummer {n + 1}",
                 f"phases-{n}-title_texts-en": f"Step number {n + 1}",
                 f"phases-{n}-starts_at": f"{today + timedelta(days=n)}T00:00",
                 f"phases-{n}-ends_at": f"{today + timedelta(days=n + 1)}T00:00",
                 f"phases-{n}-opens_comment": "y"}
    return data


def test_a_phase_is_added_and_removed_with_buttons_and_nothing_is_saved_meanwhile(client):
    login_as(client, factories.staff())
    assert _phase_rows(client.get(NEW).get_data(as_text=True)) == 4  # the usual shape, four phases
    added = submit(client, NEW, process_form(add_phase="1"), page=NEW)
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and _phase_rows(page) == 3  # the two sent, and one more
    assert 'value="Simmering heat 2027"' in page  # nothing typed is lost
    removed = submit(client, NEW, process_form(remove_phase="1"), page=NEW)
    page = removed.get_data(as_text=True)
    assert _phase_rows(page) == 1 and 'value="Supports"' in page and 'value="Ideas"' not in page
    assert db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027")) is None


def test_a_process_keeps_twelve_phases_in_order(client):
    login_as(client, factories.staff())
    response = submit(client, NEW, _many_phases(12), page=NEW)
    assert response.status_code == 302
    process = db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027"))
    assert [p.title for p in process.phases] == [f"Phase Nummer {n}" for n in range(1, 13)]
    edit = client.get(f"{process_url(process)}/edit").get_data(as_text=True)
    assert _phase_rows(edit) == 12 and 'value="Step number 12"' in edit


def test_more_than_forty_phases_are_not_kept(client):
    login_as(client, factories.staff())
    response = submit(client, NEW, _many_phases(45), page=NEW)
    process = db.session.scalar(select(Process).where(Process.title == "Simmering heat 2027"))
    assert response.status_code == 302 and len(process.phases) == 40
    page = client.get(f"{process_url(process)}/edit").get_data(as_text=True)
    assert "A process has at most 40 phases." in page and 'name="add_phase"' not in page


def test_the_error_summary_names_the_phase_of_each_error(client):
    login_as(client, factories.staff())
    today = utc_now().date()
    data = process_form(**{"phases-1-ends_at": f"{today}T00:00"})  # phase 2 ends before it starts
    page = submit(client, NEW, data, page=NEW).get_data(as_text=True)
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert "Phase 2: Ends: The phase must end after it starts." in summary
    assert "{}" not in summary and "Phases:" not in summary
    overlapping = process_form(**{"phases-1-starts_at": f"{today}T12:00"})
    page = submit(client, NEW, overlapping, page=NEW).get_data(as_text=True)
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert "Phases must not overlap: phase 1 and phase 2 do." in summary and "{}" not in summary


def test_titles_are_written_per_language_and_read_in_the_readers_language(client):
    staff = factories.staff()
    login_as(client, staff)
    data = process_form(**{"title_texts-en": "Heat from waste water", "description_texts-en": "Read *this*.",
                           "phases-0-title_texts-en": "Ideas (English)"})
    data["title_texts-de"] = "Wärme aus Abwasser"
    assert submit(client, NEW, data, page=NEW).status_code == 302
    process = db.session.scalar(select(Process).where(Process.title == "Wärme aus Abwasser"))
    assert process.title_texts == {"de": "Wärme aus Abwasser", "en": "Heat from waste water"}
    submit(client, f"{process_url(process)}/state/publish", {}, page=process_url(process))

    def read(locale: str) -> str:
        submit(client, "/account/language", {"locale": locale, "next": "/"})
        return client.get(process_url(process)).get_data(as_text=True)

    english = read("en")
    assert "<h1>Heat from waste water</h1>" in english and "Ideas (English)" in english
    assert "<em>this</em>" in english
    german = read("de")
    assert "<h1>Wärme aus Abwasser</h1>" in german and ">Ideas<" in german  # the phase's German name
    french = read("fr")  # not written in French: English, marked as such
    assert '<h1 lang="en">Heat from waste water</h1>' in french
    assert 'lang="en">Heat from waste water</a>' in client.get("/areas/vienna-simmering").get_data(as_text=True)
