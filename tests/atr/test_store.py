"""ATR storage on real SQLite files: history, concurrency, durability across kill -9."""

import os
import signal
import subprocess
import sys
import textwrap

from atr.report import coverage, export
from atr.store import AtrStore
from atr.validation import validate
from tests.conftest import REPO


def sub(office, ip_type, year, url, note=""):
    return validate(office, ip_type, year, url, note, current_year=2026, first_year=2000)


def test_resubmission_replaces_and_keeps_history(tmp_path):
    store = AtrStore(tmp_path)
    first = store.submit(sub("GB", "TM", 2024, "https://a.gov.uk/1"), "T1", "U1")
    second = store.submit(sub("GB", "TM", 2024, "https://a.gov.uk/2", "fixed link"), "T1", "U2")
    assert (first.version, second.version, second.previous_url) == (1, 2, "https://a.gov.uk/1")
    current = store.current(2024)
    assert [(s.office, s.url, s.user_id) for s in current] == [("GB", "https://a.gov.uk/2", "U2")]
    history = store.history("GB", "TM", 2024)
    assert [(h["old_url"], h["new_url"], h["user_id"], h["team_id"]) for h in history] == [
        (None, "https://a.gov.uk/1", "U1", "T1"),
        ("https://a.gov.uk/1", "https://a.gov.uk/2", "U2", "T1"),
    ]


def test_one_current_link_per_office_type_year(tmp_path):
    store = AtrStore(tmp_path)
    for ip_type in ("PI", "TM", "ID"):
        store.submit(sub("FR", ip_type, 2024, f"https://inpi.fr/{ip_type}"), "T", "U")
    store.submit(sub("FR", "PI", 2023, "https://inpi.fr/old"), "T", "U")
    assert len(store.current(2024)) == 3 and len(store.current()) == 4
    assert [s.year for s in store.current(office="FR")] == [2023, 2024, 2024, 2024]


def test_coverage_counts_per_type(tmp_path):
    store = AtrStore(tmp_path)
    store.submit(sub("GB", "TM", 2024, "https://a.gov.uk/tm"), "T", "U")
    store.submit(sub("GB", "PI", 2024, "https://a.gov.uk/pi"), "T", "U")
    store.submit(sub("JP", "TM", 2024, "https://jpo.go.jp/tm"), "T", "U")
    table = coverage(store.current(2024), 2024, expected=("GB", "JP", "KR"))
    assert (table.count("PI"), table.count("TM"), table.count("ID"), table.total) == (1, 2, 0, 3)
    assert table.missing("TM") == ["KR"] and table.missing("PI") == ["JP", "KR"]
    assert "KR" in table.table()


def test_export_is_ordered_by_office(tmp_path):
    store = AtrStore(tmp_path)
    for office in ("JP", "AU", "GB"):
        store.submit(sub(office, "TM", 2024, f"https://{office.lower()}.example.org/atr"), "T", "U")
    csv_text = export(store.current(2024), "csv")
    assert [line.split(",")[0] for line in csv_text.splitlines()[1:]] == ["AU", "GB", "JP"]
    assert '"office_name": "Japan"' in export(store.current(2024), "json")


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from atr.store import AtrStore
    from atr.validation import validate
    store = AtrStore(Path({data!r}))
    for i in range({count}):
        office = {offices!r}[i % len({offices!r})]
        url = f"https://x.org/{{sys.argv[1]}}/{{i}}"
        s = validate(office, "TM", 2000 + i % 20, url, "", current_year=2026, first_year=2000)
        store.submit(s, "T", sys.argv[1])
        print("CONFIRMED", i, flush=True)
    """
)


def test_two_processes_submitting_at_once_lose_nothing(tmp_path):
    AtrStore(tmp_path)
    script = WRITER.format(repo=str(REPO), data=str(tmp_path), count=60, offices=["GB", "FR", "DE"])
    procs = [
        subprocess.Popen([sys.executable, "-c", script, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name in ("A", "B")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-500:] for o in outputs]
    store = AtrStore(tmp_path)
    history = sum(len(store.history(o, "TM", y)) for o in ("GB", "FR", "DE") for y in range(2000, 2020))
    assert history == 120  # every submission of both processes is in the history
    assert len(store.current()) == 60  # 3 offices x 20 years, one current link each


def test_confirmed_submission_survives_kill_9(tmp_path):
    AtrStore(tmp_path)
    script = WRITER.format(repo=str(REPO), data=str(tmp_path), count=1_000_000, offices=["GB"])
    proc = subprocess.Popen([sys.executable, "-c", script, "K"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    confirmed = -1
    for line in proc.stdout:
        confirmed = int(line.split()[1])
        if confirmed >= 25:
            os.kill(proc.pid, signal.SIGKILL)  # killed right after a confirmation
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store = AtrStore(tmp_path)
    stored = {(s.year, s.url) for s in store.current()}
    for i in range(confirmed + 1):
        year = 2000 + i % 20
        urls = {u for y, u in stored if y == year}
        assert urls, f"confirmed submission {i} lost"
    total_history = sum(len(store.history("GB", "TM", y)) for y in range(2000, 2020))
    assert total_history >= confirmed + 1
