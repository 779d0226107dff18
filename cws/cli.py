"""`cws`: index CWS documents, ask questions, evaluate retrieval.

Errors from the library arrive as specific exceptions and become one-line messages
here, at the edge, so every command reports problems the same way.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from config.settings import Settings, load_settings
from corpus.loaders.errors import CorpusError
from corpus.manifest import ManifestError
from cws.errors import CwsError

log = logging.getLogger("cws")


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary where specific exceptions become messages for a person."""
    try:
        yield
    except (CwsError, CorpusError, ManifestError) as exc:
        raise click.ClickException(str(exc)) from exc


class Context:
    def __init__(self, config: str | None) -> None:
        self.config = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            with user_errors():
                self._settings = load_settings(self.config)
        return self._settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), envvar="CWS_CONFIG",
              help="Configuration file (default: $CWS_CONFIG, else the packaged config/default.yaml).")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int) -> None:
    """CWS Assistant: answers questions about the Committee on WIPO Standards from its documents.

    \b
    Quick start:
      cws index ../shared/corpus
      cws ask "When does the ST.92 sunset period end?"
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Context(config)


def _engine(obj: Context, build_if_missing: bool = True):  # type: ignore[no-untyped-def]
    from cws.assistant import make_engine
    from cws.indexing import format_summary, run_build

    engine = make_engine(obj.settings)
    if build_if_missing:
        reason = "No index yet" if not engine.live.exists() else "The index was built by an older version" if engine.live.outdated() else None
        if reason:
            click.echo(f"{reason}: building it first.", err=True)
            summary = run_build(obj.settings, embedder=engine.embedder)
            click.echo(format_summary(summary), err=True)
    return engine


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="Re-read and re-embed everything instead of only what changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def index_command(obj: Context, paths: tuple[Path, ...], full: bool, as_json: bool) -> None:
    """Index the documents in PATHS (default: the configured corpus_dirs).

    Only changed documents are read and only changed passages embedded; the new
    index goes live only after it has been validated, and the previous one is kept.
    """
    from cws.indexing import format_summary, run_build

    with user_errors():
        summary = run_build(obj.settings, paths, full=full)
    click.echo(json.dumps(summary.as_dict(), indent=2) if as_json else format_summary(summary))


FILTER_OPTIONS = [
    click.option("--session", help="Only documents of this session, e.g. CWS/12 or 'twelfth session'."),
    click.option("--year", help="Only documents of this year."),
    click.option("--standard", help="Only passages about this standard, e.g. ST.26."),
    click.option("--task", help="Only passages about this task, e.g. 'Task No. 24' or 24."),
    click.option("--document", help="Only this document symbol, e.g. CWS/12/25."),
]


def with_filters(func):  # type: ignore[no-untyped-def]
    for option in reversed(FILTER_OPTIONS):
        func = option(func)
    return func


def _print_answer(answer) -> None:  # type: ignore[no-untyped-def]
    click.echo(click.style(answer.text, bold=True))
    if answer.did_you_mean:
        click.echo(f"(Did you mean: {answer.did_you_mean}?)")
    if answer.sources:
        click.echo("\nSources:")
    for number, source in enumerate(answer.sources, start=1):
        title = f" — {source.title}" if source.symbol else ""
        click.echo(f"  [{number}] {source.citation}{title}" + (f"  {source.url}" if source.url else ""))
        snippet = source.snippet.replace("\n", " ")
        styled = "".join(
            click.style(part, bold=True, fg="yellow") if i % 2 else part for i, part in enumerate(snippet.split("**"))
        )
        click.echo(f"      {styled}")


@cli.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: {question, answer, sources}.")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "vector"]), default="hybrid", show_default=True,
              help="Retrieval used (keyword and vector alone are for comparison).")
@with_filters
@click.pass_obj
def ask_command(obj: Context, question: str | None, as_json: bool, mode: str, **filters: str | None) -> None:
    """Answer QUESTION with citations to CWS documents.

    Without QUESTION, reads one question per line from standard input and prints
    one JSON object per line (the model is loaded once). Builds the index first
    if there is none yet.

    \b
    Examples:
      cws ask "When does the ST.92 sunset period end?"
      cws ask --json --session CWS/12 "What did the committee agree about ST.92?"
      printf 'What is ST.37?\\nWhat is Task No. 24?\\n' | cws ask
    """
    with user_errors():
        engine = _engine(obj)
        if question is not None:
            answer = engine.ask(question, filters, mode)
            if as_json:
                click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            else:
                _print_answer(answer)
            return
        for line in sys.stdin:
            if line.strip():
                click.echo(json.dumps(engine.ask(line.strip(), filters, mode).to_json(), ensure_ascii=False))


@cli.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["all", "hybrid", "keyword", "vector"]), default="all", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print figures and per-question results as JSON.")
@click.option("--show-misses", is_flag=True, help="List the questions that were missed.")
@click.pass_obj
def eval_command(obj: Context, file: Path, mode: str, as_json: bool, show_misses: bool) -> None:
    """Recall@1, recall@5 and answer accuracy on a JSONL question file.

    Each line: {"id", "q", "any": [expected strings]}. A question counts for recall@k
    when an expected string appears in one of the first k sources, and as answered
    when one appears in the answer text.
    """
    from cws.evaluate import evaluate, load_questions

    with user_errors():
        engine = _engine(obj)
        questions = load_questions(file)
        modes = ["keyword", "vector", "hybrid"] if mode == "all" else [mode]
        reports = [evaluate(engine, questions, m) for m in modes]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
        return
    click.echo(f"{'mode':8} {'recall@1':>9} {'recall@5':>9} {'answers':>9}   ({len(questions)} questions)")
    for r in reports:
        click.echo(f"{r.mode:8} {r.recall_at_1:>9} {r.recall_at_5:>9} {r.answered:>9}")
    if show_misses:
        for r in reports:
            for miss in r.misses():
                click.echo(f"[{r.mode}] {miss}")


@cli.command("status")
@click.pass_obj
def status_command(obj: Context) -> None:
    """Show the live index version, its size and the model it was built with."""
    from index.layout import complete_builds, live_build, read_info

    root = obj.settings.index_root
    live = live_build(root)
    if live is None:
        raise click.ClickException(f"no index yet in {root}; run 'cws index'")
    info = read_info(live)
    click.echo(f"live index: {info['version']} (built {info['created']})")
    click.echo(f"documents: {info['counts']['documents']}, passages: {info['counts']['passages']}")
    click.echo(f"model: {info['model']['name']} ({info['model']['dimension']} dimensions)")
    click.echo(f"sources: {', '.join(info['sources']) or '(built-in records only)'}")
    click.echo(f"builds kept: {', '.join(p.name for p in complete_builds(root))}")


def main() -> None:
    cli(prog_name="cws")


from atr.cli import atr_group  # noqa: E402  (subcommand groups live beside their features)

cli.add_command(atr_group)

from bot.cli import feedback_group, serve_command  # noqa: E402

cli.add_command(serve_command)
cli.add_command(feedback_group)

from jobs.cli import deadlines_command, jobs_group  # noqa: E402

cli.add_command(jobs_group)
cli.add_command(deadlines_command)
