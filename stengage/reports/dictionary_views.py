"""The data dictionary: every figure the platform publishes, as defined by the metrics layer,
in the reader's language (a page for people, a CSV for tools)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, render_template
from werkzeug.wrappers import Response

from stengage.core.exports import safe_cell
from stengage.reports.metrics import BREAKDOWNS, MEASURES, min_residents

bp = Blueprint("figures", __name__, url_prefix="/figures")


@bp.route("/")
def dictionary() -> str:
    return render_template("reports/dictionary.html", measures=MEASURES.values(), breakdowns=BREAKDOWNS.values(),
                           k=min_residents())


@bp.route("/dictionary.csv")
def dictionary_csv() -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "key", "name", "definition", "unit", "counts"])
    for m in MEASURES.values():
        writer.writerow(["measure", m.key, *(safe_cell(str(text)) for text in (m.label, m.definition, m.unit,
                                                                                m.counts))])
    for b in BREAKDOWNS.values():
        writer.writerow(["breakdown", b.key, safe_cell(str(b.label)), safe_cell(str(b.definition)), "",
                         " ".join(b.measures)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="stengage-figures.csv"'})
