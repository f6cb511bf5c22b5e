"""`opsdesk import calls FILE.csv`: a telephony export, idempotent."""

import pytest

from opsdesk.calls.models import CallRecord

from ..imports.conftest import english, run  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english")

EXPORT = "\n".join([
    "call_id,direction,caller_number,caller_name,customer,offered_at,answered_at,ended_at,agent,"
    "incident",
    "P-1,inbound,13800000000,赵敏,huaxin,2026-11-20 09:00:00,2026-11-20 09:00:08,"
    "2026-11-20 09:03:00,agent_li,",
    "P-2,inbound,13900000000,,,2026-11-20 09:05:00,,2026-11-20 09:05:40,,",
    "P-3,outbound,13800000000,赵敏,huaxin,2026-11-20 10:00:00,2026-11-20 10:00:20,,agent_li,",
    ""])


def test_a_telephony_export_imports_once(cast, tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(EXPORT, encoding="utf-8")
    code, out, err = run(capsys, "import", "calls", str(path), "--source", "avaya")
    assert (code, out) == (0, "3 calls new, 0 updated, 0 unchanged.\n"), err
    first = CallRecord.objects.get(external_id="P-1")
    assert (first.source, first.answer_seconds, first.agent, first.customer) == (
        "avaya", 8, cast.agent_li, cast.customer)
    assert first.offered_at.isoformat() == "2026-11-20T01:00:00+00:00"
    assert CallRecord.objects.get(external_id="P-2").answered_at is None
    assert run(capsys, "import", "calls", str(path), "--source", "avaya")[1] == (
        "0 calls new, 0 updated, 3 unchanged.\n")
    assert CallRecord.objects.count() == 3


def test_a_mapping_renames_columns_and_reads_gbk(cast, tmp_path, capsys):
    path = tmp_path / "pbx.csv"
    path.write_bytes("呼叫编号,方向,振铃时间,接听时间\nX-1,呼入,2026/11/20 09:00:00,"
                     "2026/11/20 09:00:03\n".encode("gbk"))
    mapping = tmp_path / "pbx.toml"
    mapping.write_text('source = "pbx"\nencoding = "gbk"\ndate_formats = ["%Y/%m/%d %H:%M:%S"]\n'
                       '[columns]\nexternal_id = "呼叫编号"\ndirection = "方向"\n'
                       'offered_at = "振铃时间"\nanswered_at = "接听时间"\n', encoding="utf-8")
    code, _out, err = run(capsys, "import", "calls", str(path), "--mapping", str(mapping))
    assert code == 0, err
    stored = CallRecord.objects.get()
    assert (stored.source, stored.direction, stored.answer_seconds) == ("pbx", "inbound", 3)


def test_bad_rows_are_reported_with_their_line_and_nothing_is_stored(cast, tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(EXPORT + "P-4,inbound,,,,yesterday,,,,\n"
                    "P-5,inbound,,,,2026-11-20 11:00:00,,,nobody,INC-20990101-0001\n",
                    encoding="utf-8")
    code, _out, err = run(capsys, "import", "calls", str(path))
    assert code == 1
    assert err.splitlines()[0] == (
        "calls.csv line 5: offered_at: “yesterday” is not a date and time (expected "
        "%Y-%m-%d %H:%M:%S / %Y-%m-%d %H:%M / %Y/%m/%d %H:%M:%S / ISO 8601)")
    assert CallRecord.objects.count() == 0
    path.write_text(EXPORT + "P-5,inbound,,,,2026-11-20 11:00:00,,,nobody,INC-20990101-0001\n",
                    encoding="utf-8")
    code, _out, err = run(capsys, "import", "calls", str(path))
    assert err.splitlines() == [
        "calls.csv line 5: agent: No active user with this login name.",
        "calls.csv line 5: incident: No incident with this number.",
        "2 problems; nothing was imported."]
    assert CallRecord.objects.count() == 0


def test_a_dry_run_writes_nothing(cast, tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(EXPORT, encoding="utf-8")
    assert run(capsys, "import", "calls", str(path), "--dry-run")[1] == (
        "Dry run, nothing written: 3 calls would be new, 0 updated, 0 unchanged.\n")
    assert CallRecord.objects.count() == 0
