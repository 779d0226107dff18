"""`cws atr submit | list | status | export` on a real SQLite file, as the secretariat uses them."""

import getpass
import json
from datetime import date

from click.testing import CliRunner

from atr.store import AtrStore
from cws.cli import cli

LAST_YEAR = date.today().year - 1


def run(args, data_dir):
    return CliRunner().invoke(cli, args, env={"CWS_DATA_DIR": str(data_dir), "CWS_CORPUS_DIRS": ""})


def test_submit_stores_the_link_as_made_by_the_local_user_and_confirms_it(tmp_path):
    result = run(
        ["atr", "submit", "gb", "trademark", str(LAST_YEAR), "https://www.ipo.gov.uk/atr", "sent", "by", "e-mail"],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "office:   GB (United Kingdom)" in result.output and "sent by e-mail" in result.output
    [stored] = AtrStore(tmp_path).current()
    assert (stored.office, stored.ip_type, stored.year, stored.user_id) == (
        "GB",
        "TM",
        LAST_YEAR,
        f"local:{getpass.getuser()}",
    )
    again = run(["atr", "submit", "GB", "TM", str(LAST_YEAR), "https://www.ipo.gov.uk/atr-v2"], tmp_path)
    assert "replaced: https://www.ipo.gov.uk/atr" in again.output
    assert len(AtrStore(tmp_path).history("GB", "TM", LAST_YEAR)) == 2


def test_every_bad_field_is_named_and_nothing_is_stored(tmp_path):
    result = run(["atr", "submit", "XX", "music", "3000", "ftp://x.org/a"], tmp_path)
    assert result.exit_code == 1
    for field in ("office:", "type:", "year:", "url:"):
        assert field in result.output
    assert "Traceback" not in result.output
    assert AtrStore(tmp_path).current() == []


def test_list_and_status_default_to_last_year(tmp_path):
    run(["atr", "submit", "JP", "PI", str(LAST_YEAR), "https://www.jpo.go.jp/atr"], tmp_path)
    listed = run(["atr", "list", "jp"], tmp_path)
    assert f"{LAST_YEAR}  JP" in listed.output and "https://www.jpo.go.jp/atr" in listed.output
    assert "No ATR links of FR yet." in run(["atr", "list", "FR"], tmp_path).output
    status = run(["atr", "status"], tmp_path)
    assert status.exit_code == 0 and f"ATRs on {LAST_YEAR} activities" in status.output and "JP" in status.output


def test_export_into_a_missing_folder_is_a_message_not_a_traceback(tmp_path):
    run(["atr", "submit", "JP", "PI", str(LAST_YEAR), "https://www.jpo.go.jp/atr"], tmp_path)
    result = run(["atr", "export", "--year", str(LAST_YEAR), "--out", str(tmp_path / "nope" / "atr.csv")], tmp_path)
    assert result.exit_code == 1 and "does not exist" in result.output and "Traceback" not in result.output
    exported = run(["atr", "export", "--year", str(LAST_YEAR), "--format", "json"], tmp_path)
    assert json.loads(exported.output)[0]["office"] == "JP"


def test_years_out_of_range_are_refused(tmp_path):
    for year in ("-1", "99999"):
        result = run(["atr", "status", "--year", year], tmp_path)
        assert result.exit_code == 2 and "Traceback" not in result.output
