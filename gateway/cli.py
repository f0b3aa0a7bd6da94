"""`loyalty-gateway`: seed the demo brand, train the small model, serve, verify the audit log."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gateway.offline import enforce_offline
from gateway.settings import PROJECT_ROOT, Settings, load_settings

if TYPE_CHECKING:
    from gateway.audit import VerifyReport
    from gateway.policy.replay import ReplayReport



@click.group(help=__doc__)
def app() -> None:
    pass


@app.group("audit")
def audit_app() -> None:
    """Compliance: check the hash-chained audit log."""


@app.group("policy")
def policy_app() -> None:
    """Policy tools: dry-run a changed policy before it goes live."""


@policy_app.command("replay")
@click.option("--since", required=True, type=click.DateTime(), help="replay turns recorded since (UTC)")
@click.option("--policies", "policies_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="the candidate policy folder (default: POLICIES_DIR)")
@click.option("--url", default=None, help="audit store URL (default: AUDIT_URL)")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="also write the full report as JSON here")
def policy_replay(
    since: datetime, policies_dir: Path | None, url: str | None, json_path: Path | None
) -> None:
    """Re-run the candidate policy's gate over recorded turns; report what would change."""
    settings = load_settings()
    report = asyncio.run(_replay(since, policies_dir or settings.policies_dir, url or settings.audit_db_url))
    counts = report.counts()
    click.echo(f"replayed {report.replayed} turns since {report.since} with policy "
               f"{report.candidate_version} ({report.skipped} skipped: no draft or context)")
    click.echo("  ".join(f"{name}: {count}" for name, count in counts.items()))
    for turn in report.turns:
        if turn.change != "same":
            click.echo(f"{turn.change:14} {turn.decision_id} {turn.channel:10} "
                       f"{turn.old_action} -> {turn.new_action} {','.join(turn.new_codes)}")
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=2))


@app.group("keys")
def keys_app() -> None:
    """Channel API keys."""


INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
INTENT_REPORT = PROJECT_ROOT / "evals" / "intents" / "report.md"
GOVERNANCE_DATA = PROJECT_ROOT / "evals" / "governance" / "data"


@app.command()
@click.option("--households", type=int, default=None, help="seed only this many households")
def seed(households: int | None = None) -> None:
    """Load the Complete Journey data set into the member database (idempotent)."""
    from gateway.policy.loader import load_policy_set
    from gateway.seed import seed_demo

    settings = load_settings()
    policies = load_policy_set(settings.policies_dir)
    db_path = _member_db(settings)
    report = seed_demo(db_path, program=policies.program, margins=policies.margins, households=households)
    click.echo(f"seeded {db_path}: {report}")


@app.command()
@click.option("--dataset", type=click.Path(path_type=Path), default=INTENT_DATA, help="labelled intents")
@click.option("--report", type=click.Path(path_type=Path), default=INTENT_REPORT, help="report path")
def train(dataset: Path = INTENT_DATA, report: Path = INTENT_REPORT) -> None:
    """Train new versions of the intent model and of the gate's claim classifier, with reports."""
    from gateway.governance import train_claim_classifier
    from gateway.smallmodel import load_embedder, train_intent_model

    settings = load_settings()
    embedder = load_embedder()
    result = train_intent_model(dataset, settings.models_dir, embedder, report_path=report)
    click.echo(f"trained intent model {result.version}; report: {report}")
    claims = train_claim_classifier(GOVERNANCE_DATA, settings.models_dir, embedder)
    click.echo(f"trained claim classifier {claims.version} (threshold {claims.threshold:.3f})")


@app.command()
def serve() -> None:
    """Serve the gateway with the current settings."""
    import uvicorn

    from gateway.app import create_app

    settings = load_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@app.command()
def demo() -> None:
    """Seed the demo brand and train the model when missing, then serve."""
    settings = load_settings()
    if not _member_db(settings).exists():
        seed.callback()  # type: ignore[misc]
    trained = ("intent", "governance")
    if not all((settings.models_dir / kind / "LATEST").exists() for kind in trained):
        train.callback()  # type: ignore[misc]
    serve.callback()  # type: ignore[misc]


@audit_app.command("verify")
@click.option("--url", default=None, help="audit store URL (default: AUDIT_URL)")
def audit_verify(url: str | None) -> None:
    """Recompute the hash chain; exit 1 and name the first broken record if any."""
    settings = load_settings()
    report = asyncio.run(_verify(url or settings.audit_db_url))
    if report.ok:
        click.echo(f"audit log intact: {report.checked} records, head {report.head_hash}")
        return
    click.echo(f"audit log BROKEN at record {report.first_broken_seq}: {report.reason} "
               f"({report.checked} intact records before it)", err=True)
    sys.exit(1)


@keys_app.command("hash")
@click.argument("key")
def keys_hash(key: str) -> None:
    """Print the SHA-256 to store in a channel keys file for KEY."""
    from gateway.api.keys import hash_key

    click.echo(hash_key(key))


async def _verify(url: str) -> VerifyReport:
    from gateway.audit import open_audit_log

    log = open_audit_log(url)
    try:
        return await log.verify()
    finally:
        await log.close()


async def _replay(since: datetime, policies_dir: Path, url: str) -> ReplayReport:
    from gateway.audit import open_audit_log
    from gateway.governance import Gate
    from gateway.policy.loader import load_policy_set
    from gateway.policy.replay import replay

    candidate = load_policy_set(policies_dir)
    gate = Gate(candidate.governance, candidate.version)
    log = open_audit_log(url)
    try:
        moment = since if since.tzinfo else since.replace(tzinfo=UTC)
        return await replay(log, gate, candidate_version=candidate.version, since=moment)
    finally:
        await log.close()


def _member_db(settings: Settings) -> Path:
    from gateway.composition import sqlite_path

    return sqlite_path(settings.member_db_url)


def main() -> None:
    enforce_offline()
    try:
        app()
    except Exception as e:  # one readable line for operators; the cause is chained
        from gateway.exceptions import GatewayError

        if not isinstance(e, GatewayError):
            raise
        click.echo(f"error: {e.message}", err=True)
        sys.exit(2)
