"""`opsdesk import csv FILE --mapping MAP.toml`: a Chinese service desk's
export in GBK, described by a mapping file."""

import pytest

from opsdesk.imports.models import ImportedRecord

from .conftest import incident_of, run, status_sequence, written

pytestmark = pytest.mark.usefixtures("english")

EXPORT = """\
工单号,状态,标题,来源,影响度,紧急度,分类,处理组,登记时间,更新时间,结束代码,解决时间,关闭时间
OT-001,已登记,网银登录缓慢,电话,中,高,虚拟机磁盘变更,服务台,2026/11/02 09:00,2026/11/02 09:00,,,
OT-002,已登记,邮件收不到,邮件,低,中,,服务台,2026/11/02 10:00,2026/11/02 10:00,,,
OT-001,处理中,网银登录缓慢,电话,中,高,虚拟机磁盘变更,二线系统组,2026/11/02 09:00,2026/11/02 09:20,,,
OT-001,已关闭,网银登录缓慢,电话,中,高,虚拟机磁盘变更,二线系统组,2026/11/02 09:00,\
2026/11/03 17:00,成功,2026/11/03 16:00,2026/11/03 17:00
"""
MAPPING = """\
source = "legacy-desk"
encoding = "gbk"
date_formats = ["%Y/%m/%d %H:%M"]

[fields]
key = "工单号"
status = "状态"
title = "标题"
channel = "来源"
impact = "影响度"
urgency = "紧急度"
category = "分类"
team = "处理组"
registered_at = "登记时间"
event_at = "更新时间"
closure_code = "结束代码"
resolved_at = "解决时间"
closed_at = "关闭时间"

[defaults]
kind = "service_request"

[values.status]
"已登记" = "new"
"处理中" = "in_progress"
"已关闭" = "closed"

[values.channel]
"电话" = "phone"
"邮件" = "email"

[values.impact]
"高" = "high"
"中" = "medium"
"低" = "low"

[values.urgency]
"紧急" = "critical"
"高" = "high"
"中" = "medium"
"低" = "low"

[values.closure_code]
"成功" = "successful"
"""


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "legacy.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def test_a_gbk_export_imports_through_its_mapping(cast, tmp_path, mapping, capsys):
    path = tmp_path / "tickets.csv"
    path.write_bytes(EXPORT.encode("gbk"))
    code, out, err = run(capsys, "import", "csv", str(path), "--mapping", str(mapping))
    assert code == 0, err
    assert out.startswith("Read 4 events of 2 tickets.\n2 incidents new, 0 updated")
    first = incident_of("OT-001")
    assert status_sequence(first) == ["new", "in_progress", "closed"]
    assert (first.title, first.kind, first.channel, first.team, first.category) == (
        "网银登录缓慢", "service_request", "phone", cast.l2, cast.category)
    assert (first.closure_code, first.priority, first.number) == (
        "successful", 3, "INC-20261102-0001")
    assert first.closed_at.isoformat() == "2026-11-03T09:00:00+00:00"  # 17:00 in Shanghai
    second = incident_of("OT-002")
    assert (second.status, second.channel, second.category, second.number) == (
        "new", "email", None, "INC-20261102-0002")
    assert set(ImportedRecord.objects.values_list("source", flat=True)) == {"legacy-desk"}
    assert "0 incidents new, 0 updated, 2 unchanged" in run(
        capsys, "import", "csv", str(path), "--mapping", str(mapping))[1]


def test_a_utf8_file_with_a_byte_order_mark_reads_whatever_the_mapping_says(
        cast, tmp_path, mapping, capsys):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + EXPORT.encode("utf-8"))
    code, _out, err = run(capsys, "import", "csv", str(path), "--mapping", str(mapping))
    assert code == 0, err
    assert written()[0] == 2


def test_the_wrong_encoding_is_named_with_the_line(cast, tmp_path, capsys):
    path = tmp_path / "tickets.csv"
    path.write_bytes(EXPORT.encode("gbk"))
    mapping = tmp_path / "utf8.toml"
    mapping.write_text(MAPPING.replace('encoding = "gbk"', 'encoding = "utf-8"'),
                       encoding="utf-8")
    code, _out, err = run(capsys, "import", "csv", str(path), "--mapping", str(mapping))
    assert code == 1
    assert err == ("opsdesk: tickets.csv: Line 1 is not valid utf-8 text; give the file’s "
                   "encoding in the mapping (encoding = \"gbk\").\n")
    assert written() == (0, 0, 0)


def test_a_mapping_must_name_the_key_and_the_source(cast, tmp_path, capsys):
    path = tmp_path / "tickets.csv"
    path.write_bytes(EXPORT.encode("gbk"))
    mapping = tmp_path / "nokey.toml"
    mapping.write_text(MAPPING.replace('key = "工单号"\n', ""), encoding="utf-8")
    assert run(capsys, "import", "csv", str(path), "--mapping", str(mapping))[2] == (
        "opsdesk: tickets.csv: Mapping: [fields] must name the ticket key column "
        "(key = \"…\").\n")
    mapping.write_text(MAPPING.replace('source = "legacy-desk"\n', ""), encoding="utf-8")
    assert "give the source system’s name" in run(
        capsys, "import", "csv", str(path), "--mapping", str(mapping))[2]


def test_the_mapping_is_required(cast, tmp_path, capsys):
    path = tmp_path / "tickets.csv"
    path.write_bytes(EXPORT.encode("gbk"))
    with pytest.raises(SystemExit):
        run(capsys, "import", "csv", str(path))
