"""`cws ask` and `cws eval`: answer questions, and measure how well they are answered."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cws.context import Context, open_engine, user_errors

if TYPE_CHECKING:
    from answering.engine import Answer

FILTER_OPTIONS = [
    click.option("--session", help="Only documents of this session, e.g. CWS/12 or 'twelfth session'."),
    click.option("--year", help="Only documents of this year."),
    click.option("--standard", help="Only passages about this standard, e.g. ST.26."),
    click.option("--task", help="Only passages about this task, e.g. 'Task No. 24' or 24."),
    click.option("--document", help="Only this document symbol, e.g. CWS/12/25."),
    click.option("--office", help="Only the reports of this office (ATRs), e.g. JP or Japan."),
]


def with_filters(func):
    for option in reversed(FILTER_OPTIONS):
        func = option(func)
    return func


def _print_answer(answer: Answer) -> None:
    click.echo(click.style(answer.text, bold=True))
    if answer.did_you_mean:
        click.echo(f"(Did you mean: {answer.did_you_mean}?)")
    listed = answer.sources or answer.closest
    if listed:
        click.echo("\nSources:" if answer.sources else "\nClosest passages (not an answer):")
    for number, source in enumerate(listed, start=1):
        title = f" — {source.title}" if source.symbol else ""
        click.echo(f"  [{number}] {source.citation}{title}" + (f"  {source.url}" if source.url else ""))
        snippet = source.snippet.replace("\n", " ")
        styled = "".join(
            click.style(part, bold=True, fg="yellow") if i % 2 else part for i, part in enumerate(snippet.split("**"))
        )
        click.echo(f"      {styled}")


@click.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: {question, answer, sources}.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "keyword", "vector"]),
    default="hybrid",
    show_default=True,
    help="Retrieval used (keyword and vector alone are for comparison).",
)
@with_filters
@click.pass_obj
def ask_command(obj: Context, question: str | None, as_json: bool, mode: str, **filters: str | None) -> None:
    """Answer QUESTION with citations to CWS documents.

    Without QUESTION at a terminal, opens a prompt (line editing and history, kept in the
    data directory); with questions piped in, answers one per line as one JSON object per
    line. The model is loaded once. Builds the index first if there is none yet.
    Filters can also be typed before the question, as in Slack ("office:JP year:2024 ...");
    an option given as well wins.

    \b
    Examples:
      cws ask "When does the ST.92 sunset period end?"
      cws ask --json --session CWS/12 "What did the committee agree about ST.92?"
      cws ask "office:JP year:2024 What did the office report about AI tools?"
      cws ask                      # a prompt: ask, read, ask again; Ctrl-D to leave
      printf 'What is ST.37?\\nWhat is Task No. 24?\\n' | cws ask
    """
    with user_errors():
        engine = open_engine(obj)

        def answer(text: str, json_out: bool) -> None:
            result = engine.ask(text, filters, mode, asked_from="cli")
            if json_out:
                click.echo(json.dumps(result.to_json(), ensure_ascii=False))
            else:
                _print_answer(result)

        if question is not None:
            answer(question, as_json)
        elif sys.stdin.isatty():
            for line in _prompt(obj.settings.data_dir / "ask_history"):
                answer(line, as_json)
                click.echo()
        else:
            for line in sys.stdin:
                if line.strip():
                    answer(line.strip(), True)


def _prompt(history: Path) -> Iterator[str]:
    """Questions typed at a prompt, with readline's line editing and a history file."""
    import readline

    history.parent.mkdir(parents=True, exist_ok=True)
    try:
        readline.read_history_file(history)
    except OSError:
        pass  # no history yet
    readline.set_history_length(1000)
    click.echo("Ask about the CWS documents (Ctrl-D or 'exit' to leave).", err=True)
    try:
        while True:
            try:
                line = input("cws> ").strip()
            except KeyboardInterrupt:
                click.echo()
                continue
            if line.lower() in {"exit", "quit"}:
                return
            if line:
                yield line
    except EOFError:
        click.echo()
    finally:
        try:
            readline.write_history_file(history)
        except OSError:
            pass  # a read-only data directory loses the history, not the answers


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(["all", "hybrid", "keyword", "vector"]),
    default="hybrid",
    show_default=True,
    help="Retrieval to measure; 'all' measures the three one after another.",
)
@click.option("--json", "as_json", is_flag=True, help="Print figures and per-question results as JSON.")
@click.option(
    "--show-misses", is_flag=True, help="List the questions answered wrongly, refused wrongly or not refused."
)
@click.pass_obj
def eval_command(obj: Context, file: Path, mode: str, as_json: bool, show_misses: bool) -> None:
    """Answer quality on a JSONL question file, per kind of question and overall.

    \b
    Each line: {"id", "q", "kind", "any": [...], "all": [...], "expect_none": true|false}.
    - recall@1, recall@5: one of `any` is in the first 1 / 5 passages retrieved;
    - correct: one of `any` is in the answer; strict: every one of `all` is too;
    - refusals right: questions marked expect_none that were refused ("the documents
      don't say"); refused wrongly: answerable questions that were refused.
    """
    from answering.evaluate import OVERALL, evaluate, load_questions

    with user_errors():
        engine = open_engine(obj)
        questions = load_questions(file)
        modes = ["keyword", "vector", "hybrid"] if mode == "all" else [mode]
        reports = [evaluate(engine, questions, m) for m in modes]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
        return
    for r in reports:
        click.echo(f"mode: {r.mode} ({len(questions)} questions)")
        click.echo(
            f"  {'kind':13} {'recall@1':>9} {'recall@5':>9} {'correct':>9} {'strict':>9} {'refused ok':>11} "
            f"{'refused bad':>12}"
        )
        for kind, f in r.figures().items():
            n = f"/{f.answerable}"
            refusals = f"{f.refused_right}/{f.unanswerable}"
            if kind == OVERALL:
                click.echo("  " + "-" * 78)
            click.echo(
                f"  {kind:13} {str(f.recall_at_1) + n:>9} {str(f.recall_at_5) + n:>9} {str(f.correct) + n:>9} "
                f"{str(f.strict) + n:>9} {refusals:>11} {str(f.refused_wrong) + n:>12}"
            )
        if show_misses:
            for miss in r.misses():
                click.echo(f"  [{r.mode}] {miss}")


@click.command("gaps")
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=30,
    show_default=True,
    help="Only questions asked in the last DAYS days.",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_obj
def gaps_command(obj: Context, days: int, limit: int, as_json: bool) -> None:
    """Questions the assistant could not answer (or that got a 👎), grouped and counted.

    Each refusal ("the documents don't say") and each 👎 in Slack is recorded with where it
    was asked and the closest passage found, so missing documents can be added.

    \b
    Examples:
      cws gaps --days 7
      cws gaps --json | jq '.[0]'
    """
    from answering.gaps import GapLog

    with user_errors():
        gaps = GapLog(obj.settings.data_dir).top(days=days, limit=limit)
    if as_json:
        click.echo(json.dumps([g.__dict__ for g in gaps], indent=2, ensure_ascii=False))
        return
    if not gaps:
        click.echo(f"No unanswered questions in the last {days} days.")
        return
    click.echo(f"Questions the assistant could not answer in the last {days} days, most asked first:")
    for gap in gaps:
        why = ", ".join(
            part
            for part in (
                f"{gap.refused} refused" if gap.refused else "",
                f"{gap.thumbs_down} 👎" if gap.thumbs_down else "",
            )
            if part
        )
        closest = f"; closest: {gap.closest}" if gap.closest else ""
        click.echo(
            f"  {gap.count:>3}×  {gap.question}  ({why}; asked in {', '.join(gap.channel_kinds)}; "
            f"last {gap.last_asked[:10]}{closest})"
        )
