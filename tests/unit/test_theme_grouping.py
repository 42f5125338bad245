"""Theme suggestions from the words of texts: what a moderator reads in them (no database)."""

import re

import pytest
from sklearn.metrics import adjusted_rand_score

from stengage.devtools.theme_corpus import corpus
from stengage.reports.grouping import Contribution, group_texts

CATEGORIES = ("mobility", "renewable_energy", "housing", "street_lighting")


def _texts(data):
    texts = [Contribution("p", i, p.title, p.body) for i, p in enumerate(data.proposals)]
    return texts + [Contribution("c", i, "", c.body, data.proposals[c.proposal].title)
                    for i, c in enumerate(data.comments)]


def _words(terms):
    return {w for term in terms for w in re.findall(r"[^\W\d_]+", term.lower())}


def test_names_and_mentions_of_residents_never_become_a_theme_word():
    # The case moderators reported: a resident who writes about trees in every text.
    trees = [Contribution("p", i, f"More trees on Benkplatz street {i}",
                          "Ben Enkplatz and @ben.enkplatz ask for shady trees; Maria Lopez agrees with Ben.")
             for i in range(8)]
    bikes = [Contribution("p", 100 + i, f"Bike lane to the station {i}",
                          "@maria_lopez wants a safe bike lane; Maria rides there daily, like Ben Enkplatz.")
             for i in range(8)]
    groups = group_texts(trees + bikes, people=["Ben Enkplatz", "Maria Lopez"], locale="en")
    assert groups
    for group in groups:
        words = _words(group.terms) | _words([group.label])
        assert not words & {"ben", "enkplatz", "maria", "lopez", "bens", "marias"}, group.terms
        assert not any("@" in term for term in group.terms)


def test_on_a_labelled_set_no_label_names_a_person_or_holds_a_link_or_number():
    data = corpus(15, 1.0, language="en", seed=7, categories=CATEGORIES)
    names = _words(data.names)
    groups = group_texts(_texts(data), people=data.names, locale="en")
    assert groups
    for group in groups:
        assert not _words(group.terms) & names, group.terms
        assert not _words(group.terms) & {"https", "http", "example", "org", "plans"}
        assert not any(ch.isdigit() for term in group.terms for ch in term)


@pytest.mark.parametrize(("locale", "function_words"), [
    ("de", {"und", "der", "die", "das", "nicht", "wir", "mehr", "mit", "für", "auch", "bitte", "seit"}),
    ("fr", {"les", "des", "une", "pour", "dans", "plus", "nous", "depuis", "avec", "que"}),
    ("bg", {"повече", "това", "които", "може", "също", "много", "вече"}),
])
def test_the_area_languages_grammar_words_are_no_theme_words(locale, function_words):
    data = corpus(12, 1.0, language=locale, seed=3, categories=CATEGORIES)
    groups = group_texts(_texts(data), people=data.names, locale=locale)
    assert groups
    for group in groups:
        assert not _words(group.terms) & function_words, group.terms


@pytest.mark.parametrize("language", ["en", "de", "it"])
def test_groups_find_the_known_categories(language):
    data = corpus(15, 1.0, language=language, seed=11, categories=CATEGORIES)
    groups = group_texts(_texts(data), people=data.names, locale=language)
    found = [f"alone-{i}" for i in range(len(data.texts))]
    for number, group in enumerate(groups):
        for member in group.members:
            found[member] = f"group-{number}"
    # Generous: grouping by stray words (names, links, "great idea") scores about 0.05 here.
    assert adjusted_rand_score([t.category for t in data.texts], found) >= 0.25


def test_every_group_says_how_well_its_members_fit_and_repeats_itself():
    data = corpus(12, 1.0, language="es", seed=5, categories=CATEGORIES)
    texts = _texts(data)
    groups = group_texts(texts, people=data.names, locale="es")
    assert groups == group_texts(texts, people=data.names, locale="es")
    for group in groups:
        assert group.verdict in {"strong", "fair", "weak"}
        assert 0 <= group.cohesion <= 1
        assert len(group.fits) == len(group.members) >= 2
        assert all(0 <= fit <= 1 for fit in group.fits)
        assert 1 <= len(group.label.split(", ")) <= 3 and len(group.terms) <= 6
    assert {g.verdict for g in groups} & {"strong", "fair"}


def test_groups_that_mix_categories_are_the_ones_called_weak():
    from collections import Counter

    data = corpus(30, 2.0, language="fr", seed=2)  # a fifth of the texts in other languages
    groups = group_texts(_texts(data), people=data.names, locale="fr")

    def purity(group):
        return Counter(data.texts[m].category for m in group.members).most_common(1)[0][1] / len(group.members)

    strong = [purity(g) for g in groups if g.verdict == "strong"]
    weak = [purity(g) for g in groups if g.verdict == "weak"]
    assert strong and weak
    assert min(strong) >= 0.6 and sum(weak) / len(weak) < sum(strong) / len(strong) - 0.2


def test_too_little_text_gives_no_suggestion():
    assert group_texts([Contribution("p", 1, "Trees", ""), Contribution("p", 2, "Bikes", "")]) == []
    assert group_texts([Contribution("c", i, "", "Great idea! @ben https://x.org 42") for i in range(6)]) == []


@pytest.mark.parametrize(("locale", "texts", "fillers"), [
    ("es", ("Más árboles y sombra en verano", "Más carriles bici seguros al colegio"), {"más", "largo", "nuevos"}),
    ("bg", ("Повече дървета охладят улицата през лятото", "Повече безопасни велоалеи до училището"),
     {"повече", "покрай", "нови"}),
    ("fr", ("Des arbres le long de la rue", "Une piste cyclable sûre le long du canal"), {"long", "nouveaux"}),
    ("de", ("Mehr Bäume entlang der Hauptstraße im Sommer", "Sichere Radwege entlang der Schule"),
     {"entlang", "neue", "mehr"}),
    ("en", ("More shady trees along the long street", "New safe bike lanes along the school"),
     {"more", "long", "along", "new"}),
    ("it", ("Più alberi lungo la strada in estate", "Nuove piste ciclabili sicure lungo la scuola"),
     {"più", "lungo", "nuove", "molto"}),
])
def test_filler_words_never_lead_a_label(locale, texts, fillers):
    # Residents write "more trees along the street": the label must be the trees and the street.
    extra = {"es": "a lo largo, nuevos", "bg": "покрай, нови", "fr": "nouveaux", "de": "neue", "en": "", "it": "molto"}
    contributions = [Contribution("p", 100 * n + i, f"{text} {i}", f"{text}, {extra[locale]}." if n == 0 else "")
                     for n, text in enumerate(texts) for i in range(8)]
    contributions += [Contribution("p", 300 + i, f"Solar {i}", "Photovoltaik Fotovoltaica") for i in range(8)]
    groups = group_texts(contributions, locale=locale)
    assert groups
    for group in groups:
        assert not _words(group.terms) & fillers, group.terms
        assert not _words([group.label]) & fillers, group.label
