"""Developer tools: the benchmark data generator behind ``flask seed-bench`` lives outside the features."""

import ast
from pathlib import Path

from sqlalchemy import func, select

from stengage.areas.models import Process
from stengage.extensions import db
from stengage.proposals.models import Comment, Proposal, Support

PACKAGE = Path(__file__).resolve().parents[2] / "stengage"


def test_seed_bench_fills_a_new_process_with_consistent_counts(app):
    result = app.test_cli_runner().invoke(args=[
        "seed-bench", "--proposals", "30", "--supports", "200", "--comments", "60", "--seed", "7"])
    assert result.exit_code == 0, result.output
    process = db.session.scalar(select(Process).where(Process.title.like("Benchmark process %")))
    proposals = db.session.scalars(select(Proposal).where(Proposal.process_id == process.id)).all()
    assert len(proposals) == 30
    assert all(p.area_id == process.area_id for p in proposals)
    for proposal in proposals:
        assert proposal.support_count == db.session.scalar(
            select(func.count()).where(Support.proposal_id == proposal.id))
        assert proposal.comment_count == db.session.scalar(
            select(func.count()).where(Comment.proposal_id == proposal.id))
    assert sum(p.support_count for p in proposals) > 0


def test_seed_bench_names_an_unknown_area_instead_of_failing(app):
    result = app.test_cli_runner().invoke(args=["seed-bench", "--area", "atlantis", "--proposals", "1"])
    assert result.exit_code != 0
    assert "no area 'atlantis'" in result.output


def test_no_feature_imports_the_developer_tools():
    importers = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("devtools/") or relative == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            if any(name.startswith("stengage.devtools") for name in names):
                importers.append(relative)
    assert importers == []
