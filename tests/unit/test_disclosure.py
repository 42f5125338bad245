"""The disclosure rule: small rows withheld, and nothing withheld can be worked out from the rest."""

from stengage.reports.disclosure import Line, Reason, recoverable, suppress
from stengage.reports.metrics import Row, disclose


def test_a_row_about_fewer_than_k_residents_is_withheld_and_a_partner_protects_it():
    people = {"total": 40, "a": 3, "b": 20, "c": 17}
    hidden = suppress(people, [Line(("a", "b", "c"), "total")], k=5)
    assert hidden["a"] == Reason.FEW
    # Without a second withheld part, a = total - b - c: the smaller partner goes too; the total stays.
    assert hidden == {"a": Reason.FEW, "c": Reason.PROTECTS}
    assert recoverable([Line(("a", "b", "c"), "total")], set(hidden)) == []


def test_zero_people_is_no_one_to_protect_and_k_is_a_setting():
    assert suppress({"t": 9, "a": 0, "b": 9}, [Line(("a", "b"), "t")], k=5) == {}
    assert suppress({"t": 9, "a": 4, "b": 5}, [Line(("a", "b"), "t")], k=3) == {}


def test_a_table_with_margins_keeps_every_withheld_cell_undetermined():
    # Two rows, two columns, their totals and the grand total: the classic 2x2 attack.
    people = {"x11": 2, "x12": 9, "x21": 9, "x22": 9, "r1": 11, "r2": 18, "c1": 11, "c2": 18, "T": 29}
    lines = [Line(("x11", "x12"), "r1"), Line(("x21", "x22"), "r2"), Line(("x11", "x21"), "c1"),
             Line(("x12", "x22"), "c2"), Line(("r1", "r2"), "T"), Line(("c1", "c2"), "T")]
    hidden = suppress(people, lines, k=5)
    assert "x11" in hidden and recoverable(lines, set(hidden)) == []
    assert not {"r1", "r2", "c1", "c2", "T"} & set(hidden)  # the margins stay published


def test_recoverable_finds_a_cell_that_two_equations_pin_down():
    # a+b = t1 and b = t2 (one part only): b is known, so a is too.
    lines = [Line(("a", "b"), "t1"), Line(("b",), "t2")]
    assert sorted(recoverable(lines, {"a", "b"})) == ["a", "b"]


def test_secondary_suppression_costs_a_figure_not_a_row():
    # All comments are in one language, written by two people: the total's comments go, its proposals stay.
    total = Row("participation", (), {"proposals": 8, "comments": 3}, 16)
    english = Row("comment_language", ("en",), {"comments": 3}, 2)
    rows = {r.table: r for r in disclose([total, english], [Line((english.id,), total.id)], k=5)}
    assert rows["comment_language"].hidden == {"comments": Reason.FEW, "residents": Reason.FEW}
    assert rows["participation"].value("comments") is None and rows["participation"].value("proposals") == 8
    assert rows["participation"].value("comments", exact=True) == 3  # staff inside the platform


def test_a_count_of_people_below_k_is_withheld_even_in_a_large_row():
    members = Row("membership", (), {"registered": 120, "verified_low": 40, "verified_substantial": 0,
                                     "verified_high": 2}, 120)
    [row] = disclose([members], [], k=5)
    assert row.value("verified_high") is None and row.reason("verified_high") == Reason.FEW
    assert row.value("registered") == 120 and row.value("verified_substantial") == 0


def test_a_few_unverified_members_cannot_be_worked_out_from_the_registered():
    from stengage.reports.figures import membership_lines

    members = Row("membership", (), {"registered": 120, "verified_low": 100, "verified_substantial": 18,
                                     "verified_high": 0, "unverified": 2}, 120)
    [row] = disclose([members], [], k=5, figure_lines=membership_lines([members]))
    assert row.value("unverified") is None and row.reason("unverified") == Reason.FEW
    # 120 - 100 - 18 - 0 would tell the two: one more figure of the sum is withheld, not the total.
    parts = ("verified_low", "verified_substantial", "verified_high")
    assert row.value("registered") == 120 and sum(row.value(m) is None for m in parts) == 1
