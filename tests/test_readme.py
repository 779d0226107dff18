"""The README's shell examples run and print what the README shows (issue 13), as sqlite-utils tests its docs.

Every `cws` line of a ```sh block is run in README order, in process (click's runner), from a folder beside
`../shared` like the repository, with a data directory and a home of its own. The data directory starts where the
README's first command leaves a new user: the sample corpus indexed (a copy of the session's build of
../shared/corpus), and `~/cws-docs` holds the documents the README's `cws index ~/cws-docs` example shows. Lines
that need Slack tokens, reach the network or change which build is live are only parsed (`--help` after their
arguments: the command and its options exist). An output block the README marks with `<!-- output of: COMMAND -->`
must be exactly what COMMAND prints there, build names, durations and the home folder aside. Every command and
subcommand `cws --help` lists is named in the README.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import click
import docx
import pytest
from click.testing import CliRunner

from cws.cli import cli
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
OUTPUT_BLOCK = re.compile(r"^<!-- output of: (.+?) -->\n```[a-z]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
CWS = ".venv/bin/cws"
SHOWN_HOME = "/home/you"
VOLATILE = [
    (re.compile(r"\b\d{8}T\d{6}\.\d{9}-[0-9a-f]{4}\b"), "<build>"),  # build names
    (re.compile(r"\btime: \d+\.\ds\b"), "time: <seconds>"),
]


@dataclass(frozen=True)
class Example:
    """One `cws` line of the README: what it sets, feeds and runs, and why it is only parsed (if it is)."""

    line: str  # as written, without its comment
    comment: str
    env: dict[str, str]
    stdin: str | None
    args: list[str]

    @property
    def only_parsed(self) -> str | None:
        if self.args[:1] == ["serve"]:
            return "needs Slack tokens and runs until stopped"
        if self.args[:2] in (["atr", "submit"], ["atr", "fetch"]) and "--no-fetch" not in self.args:
            return "reads the submitted link over the network"
        if self.args[:1] == ["rollback"]:
            return "changes which build is live"
        if any("..." in arg for arg in self.args):
            return "has a placeholder"
        return None


def readme() -> str:
    return README.read_text(encoding="utf-8")


def _without_comment(line: str) -> tuple[str, str]:
    """Split `command   # comment` at the first # that starts a word outside quotes, as the shell does."""
    quote = None
    for at, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or line[at - 1].isspace()):
            return line[:at].rstrip(), line[at + 1 :].strip()
    return line.rstrip(), ""


def examples(text: str) -> list[Example]:
    """Every line of a ```sh block that runs `cws`, in README order."""
    found = []
    for block in SH_BLOCK.findall(text):
        for raw in block.replace("\\\n", " ").splitlines():
            line, comment = _without_comment(raw.strip())
            if CWS not in line or line.startswith(("#", "export ")):
                continue
            tokens = shlex.split(line, posix=True)
            stdin = None
            if tokens[0] == "printf":
                stdin = tokens[1].encode().decode("unicode_escape")
                tokens = tokens[tokens.index("|") + 1 :]
            env = {}
            while "=" in tokens[0] and not tokens[0].startswith(("-", ".")):
                name, _, value = tokens.pop(0).partition("=")
                env[name] = value
            assert tokens[0] == CWS, f"README line runs cws in an unexpected way: {raw}"
            found.append(Example(line, comment, env, stdin, tokens[1:]))
    return found


def shown_outputs(text: str) -> dict[str, str]:
    return {" ".join(command.split()): output for command, output in OUTPUT_BLOCK.findall(text)}


def normalised(text: str, home: Path) -> str:
    text = text.replace(str(home), SHOWN_HOME)
    for pattern, stand_in in VOLATILE:
        text = pattern.sub(stand_in, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def write_user_documents(folder: Path) -> None:
    """`~/cws-docs` of the README's `cws index` example: a Word report, two Markdown notes and a scanned image."""
    folder.mkdir(parents=True)
    report = docx.Document()
    for cover in ("CWS/13/7", "ORIGINAL: ENGLISH", "DATE: MAY 2, 2025"):
        report.add_paragraph(cover)
    report.add_heading("Report on the XML4IP Task Force", level=1)
    report.add_paragraph("The XML4IP Task Force met four times in 2024 and agreed on version 8.0 of the ST.96 schema.")
    report.add_paragraph("The Task Force will present the ST.97 proposal at the fourteenth session of the CWS.")
    report.save(str(folder / "xml4ip-report.docx"))
    (folder / "minutes.md").write_text(
        "# Minutes of the ATR Task Force, 12 March 2025\n\n"
        "The Task Force agreed to send the ATR reminder circular in April 2025.\n"
    )
    (folder / "plan.markdown").write_text(
        "# Work plan 2025\n\nThe Secretariat plans two ST.26 training webinars in 2025.\n"
    )
    (folder / "scan.tif").write_bytes(b"II*\x00" + bytes(60))


@pytest.fixture()
def sandbox(tmp_path: Path, built_settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """<tmp>/work (the current folder, with .venv) beside <tmp>/shared, a home with ~/cws-docs, a data directory
    holding the sample corpus's index; the ONNX export is shared with the session's data directory."""
    work, home, data = tmp_path / "work", tmp_path / "home", tmp_path / "data"
    work.mkdir()
    (work / ".venv").symlink_to(REPO / ".venv")
    (tmp_path / "shared").symlink_to(SHARED)
    write_user_documents(home / "cws-docs")
    data.mkdir()
    shutil.copytree(built_settings.index_root, data / "index", symlinks=True)
    models = built_settings.data_dir / "models"
    models.mkdir(exist_ok=True)
    (data / "models").symlink_to(models)
    monkeypatch.chdir(work)
    return home, data


def run(example: Example, home: Path, data: Path):  # type: ignore[no-untyped-def]
    from jobs import runtime

    args = [str(home) + arg[1:] if arg.startswith("~/") else arg for arg in example.args]
    env = {"HOME": str(home), "CWS_DATA_DIR": str(data), **example.env}
    try:
        return CliRunner().invoke(cli, args, env=env, input=example.stdin)
    finally:
        runtime.install(None)  # type: ignore[arg-type] # `cws jobs ...` installs the jobs' runtime


def test_the_readme_examples_run_and_print_what_the_readme_shows(sandbox) -> None:  # type: ignore[no-untyped-def]
    home, data = sandbox
    text = readme()
    shown = shown_outputs(text)
    problems: list[str] = []
    ran: set[str] = set()
    for example in examples(text):
        if example.only_parsed:
            result = CliRunner().invoke(cli, [*example.args, "--help"])
            if result.exit_code != 0:
                problems.append(f"{example.line}: not even a valid command line: {result.output}")
            continue
        result = run(example, home, data)
        if result.exit_code != 0 or (result.exception and not isinstance(result.exception, SystemExit)):
            problems.append(f"{example.line}: exit code {result.exit_code}: {result.output}{result.exception!r}")
            continue
        if "JSON" in example.comment and example.stdin is not None:
            for out in result.stdout.splitlines():
                json.loads(out)
        key = " ".join(example.line.split())
        if key in shown and key not in ran:
            expected, printed = normalised(shown[key], home), normalised(result.stdout, home)
            if printed != expected:
                problems.append(f"{example.line}: the README shows\n{expected}\n--- but it prints\n{printed}")
        ran.add(key)
    problems += [
        f"the README shows the output of a command it does not run: {command}"
        for command in shown
        if command not in ran
    ]
    assert not problems, "\n\n".join(problems)


def test_the_readme_shows_the_outputs_it_checks() -> None:
    text = readme()
    assert len(shown_outputs(text)) >= 2
    assert len(examples(text)) >= 20


def _command_paths(command: click.Command, path: tuple[str, ...] = ("cws",)):  # type: ignore[no-untyped-def]
    yield " ".join(path)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _command_paths(sub, (*path, name))


def test_every_command_and_subcommand_is_in_the_readme() -> None:
    listed = CliRunner().invoke(cli, ["--help"]).output.split("Commands:\n", 1)[1]
    assert {line.split()[0] for line in listed.splitlines() if line.strip()} == set(cli.commands)
    text = readme()
    missing = [path for path in _command_paths(cli) if path not in text]
    assert not missing, f"not in the README: {missing}"
