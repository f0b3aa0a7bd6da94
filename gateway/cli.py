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
    from gateway.smallmodel import Embedder
    from gateway.smallmodel.feedback_data import FeedbackExamples
    from gateway.smallmodel.finetune_export import ExportReport



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
ROUTING_DATA = PROJECT_ROOT / "evals" / "routing" / "queries.jsonl"


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
    _build_catalog_vectors(settings, db_path)


def _build_catalog_vectors(settings: Settings, db_path: Path) -> None:
    """Complementary products come from co-purchase vectors built from the seeded baskets."""
    from gateway.context.complements import build_catalog_vectors

    built = build_catalog_vectors(
        db_path, settings.catalog_vectors_dir, min_baskets=settings.catalog_min_baskets
    )
    click.echo(f"catalog vectors {built.version}: {built.products} products in {built.seconds:.1f} s")


@app.command()
@click.option("--dataset", type=click.Path(path_type=Path), default=INTENT_DATA, help="labelled intents")
@click.option("--report", type=click.Path(path_type=Path), default=INTENT_REPORT, help="report path")
@click.option("--tolerance", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              help="promote the new intent version if its held-out accuracy and macro F1 are each "
                   "at least LATEST's minus this")
@click.option("--force", is_flag=True, help="promote the new intent version even if it is worse")
@click.option("--require-promotion", is_flag=True,
              help="exit 1 if the new intent version was not promoted")
@click.option("--feedback/--no-feedback", "use_feedback", default=True, show_default=True,
              help="also learn from answer feedback (corrections, thumbs) in the audit log")
@click.option("--audit-url", default=None, help="audit store URL for feedback (default: AUDIT_URL)")
def train(
    *, dataset: Path = INTENT_DATA, report: Path = INTENT_REPORT, tolerance: float = 0.0,
    force: bool = False, require_promotion: bool = False, use_feedback: bool = True,
    audit_url: str | None = None,
) -> None:
    """Train new versions of the intent model and of the gate's claim classifier, with reports.

    The intent version becomes LATEST only if it is not worse than the current one on the
    same held-out split (see --tolerance, --force); otherwise it is kept as a named candidate.
    """
    from gateway.governance import train_claim_classifier
    from gateway.smallmodel import load_embedder

    settings = load_settings()
    embedder = load_embedder()
    feedback = _read_feedback(audit_url or settings.audit_db_url) if use_feedback else None
    promoted = _train_intent(settings, embedder, dataset, report, feedback, tolerance=tolerance, force=force)
    claims = train_claim_classifier(GOVERNANCE_DATA, settings.models_dir, embedder)
    click.echo(f"trained claim classifier {claims.version} (threshold {claims.threshold:.3f})")
    _train_router(settings, embedder)
    _export_onnx_encoder(settings.models_dir, embedder)
    if require_promotion and not promoted:
        sys.exit(1)


def _train_intent(
    settings: Settings, embedder: Embedder, dataset: Path, report: Path,
    feedback: FeedbackExamples | None, *, tolerance: float, force: bool,
) -> bool:
    """Train, compare with LATEST on the same held-out split, promote or keep; say which and why."""
    from gateway.smallmodel.promotion import train_and_promote

    result = train_and_promote(dataset, settings.models_dir, embedder, feedback=feedback,
                               tolerance=tolerance, force=force, report_path=report)
    served = result.candidate.report.served
    click.echo(f"trained intent model {result.version} (held-out accuracy {served.accuracy:.3f}, "
               f"macro F1 {served.macro_f1:.3f}; {result.feedback_used} examples from feedback); "
               f"report: {report}")
    click.echo(("promoted: " if result.promoted else "NOT promoted: ") + result.reason)
    return result.promoted


def _read_feedback(url: str) -> FeedbackExamples | None:
    """Answer feedback from the audit log; None (and a note) when there is no log yet."""
    from gateway.audit import open_audit_log
    from gateway.smallmodel.feedback_data import feedback_examples

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        click.echo(f"no audit log at {url.removeprefix('sqlite:///')}: training without feedback")
        return None

    async def read() -> FeedbackExamples:
        log = open_audit_log(url)
        try:
            return await feedback_examples(log)
        finally:
            await log.close()

    found = asyncio.run(read())
    click.echo(f"feedback: {found.rated_turns} rated turns, {len(found.examples)} usable examples")
    return found


def _train_router(settings: Settings, embedder: Embedder) -> None:
    """The route model (small model / cache / LLM); held-out figures in evals/routing/report.md."""
    from gateway.policy.loader import load_policy_set
    from gateway.routing.train_router import train_route_model

    min_confidence = load_policy_set(settings.policies_dir).routing.router.min_confidence
    result = train_route_model(ROUTING_DATA, settings.models_dir, embedder, min_confidence=min_confidence)
    accuracy = result.report["accuracy"]
    click.echo(f"trained route model {result.model.version} (held-out accuracy {accuracy:.3f})")


def _export_onnx_encoder(models_dir: Path, embedder: Embedder) -> None:
    """Serving embeds with ONNX Runtime (no PyTorch) once the encoder is exported next to the models."""
    from gateway.smallmodel.onnx_export import ensure_onnx_encoder

    folder, exported = ensure_onnx_encoder(models_dir, reference=embedder)
    click.echo(f"{'exported' if exported else 'kept'} ONNX encoder {folder}")


@app.command("export")
@click.option("--version", default="latest", help="intent model version (default: the LATEST one)")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="a new folder for the artifact")
@click.option("--dataset", type=click.Path(path_type=Path), default=INTENT_DATA,
              help="labelled texts the artifact must predict exactly like the in-process model")
def export(version: str, out: Path, dataset: Path) -> None:
    """Write a portable ONNX artifact of an intent model: encoder, head, tokenizer, labels, model card."""
    from gateway.smallmodel.portable import export_version

    artifact = export_version(load_settings().models_dir, version, out, dataset=dataset)
    click.echo(f"exported intent model {artifact.card.model_version} to {artifact.folder} "
               f"({artifact.card.parity.texts} texts checked, 0 disagreements); "
               f"run: python {artifact.folder / 'run.py'} {artifact.folder} \"how many points do I have\"")


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
    trained = ("intent", "governance", "router")
    if not all((settings.models_dir / kind / "LATEST").exists() for kind in trained):
        train.callback()  # type: ignore[misc]
    serve.callback()  # type: ignore[misc]


@app.command("export-dataset")
@click.option("--since", required=True, type=click.DateTime(), help="export turns recorded since (UTC)")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="the JSONL file to write (OpenAI fine-tuning chat format)")
@click.option("--channel", "channels", multiple=True, type=click.Choice(["app", "kiosk", "associate"]),
              help="only turns of this channel (repeatable; default: all)")
@click.option("--url", default=None, help="audit store URL (default: AUDIT_URL)")
def export_dataset(since: datetime, out: Path, channels: tuple[str, ...], url: str | None) -> None:
    """Approved, governed turns with personal data removed, as chat JSONL for fine-tuning elsewhere."""
    settings = load_settings()
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    report = asyncio.run(_export_dataset(settings, url or settings.audit_db_url, out, moment, channels))
    skipped = sum(report.skipped.values())
    click.echo(f"exported {report.exported} turns to {out}; skipped {skipped}")
    for reason, count in sorted(report.skipped.items()):
        click.echo(f"  skipped {reason}: {count}")


async def _export_dataset(
    settings: Settings, url: str, out: Path, since: datetime, channels: tuple[str, ...]
) -> ExportReport:
    from gateway.audit import open_audit_log
    from gateway.context.prompts import PromptRegistry
    from gateway.policy.loader import load_policy_set
    from gateway.smallmodel.finetune_export import SYSTEM_TEMPLATE, Scrubber, export_dataset

    system_prompt = PromptRegistry(settings.prompts_dir).render(SYSTEM_TEMPLATE, {}).text
    scrubber = Scrubber(load_policy_set(settings.policies_dir).governance)
    log = open_audit_log(url)
    try:
        return await export_dataset(log, out, system_prompt=system_prompt, scrubber=scrubber,
                                    since=since, channels=channels)
    finally:
        await log.close()


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
