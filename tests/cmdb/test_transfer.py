"""CSV and XLSX import and export, through the `opsdesk ci` commands and the
transfer module: every error reported with its line, nothing changed."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from opsdesk.cli import main
from opsdesk.cmdb.models import CiRelationship
from opsdesk.cmdb.transfer import import_tables, read_tables
from opsdesk.core.errors import Forbidden
from opsdesk.core.models import ConfigurationItem, TimelineEvent

ITEMS_CSV = """\
name,type,status,owner_team,service,customer,location,vendor,contract,attr:vcpus,attr:os
app-vm-01,virtual_machine,in_service,二线系统组,cloud-vm,huaxin,亦庄机房,华为,HW-UC-1,8,麒麟 V10
esx-01,物理服务器,maintenance,,,,亦庄机房,浪潮,,,
"""
BAD_CSV = """\
name,type,status,owner_team,attr:vcpus
ok-vm,virtual_machine,in_service,,4
,virtual_machine,,,
bad-vm,spaceship,in_service,,
bad-vm-2,virtual_machine,sleeping,无此组,lots
ok-vm,virtual_machine,,,
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def english(monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"


def snapshot():
    return (sorted(ConfigurationItem.objects.values_list("name", "status", "attributes")),
            CiRelationship.objects.count(), TimelineEvent.objects.count())


def test_a_dry_run_reports_every_error_with_its_line_and_changes_nothing(
        cast, tmp_path, capsys, english):
    before = snapshot()
    path = tmp_path / "items.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    code, out, err = run(capsys, "ci", "import", str(path), "--dry-run")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "items.csv line 3: name: This field is required.",
        "items.csv line 4: type: Nothing called “spaceship” was found.",
        "items.csv line 5: owner_team: Nothing called “无此组” was found.",
        "items.csv line 5: status: Choose one of: planned, in_service, maintenance, retired.",
        "items.csv line 5: attributes.vcpus: vCPU: Must be a number.",
        "items.csv line 6: name: “ok-vm” appears more than once in this file.",
        "6 errors; nothing was changed.",
    ]
    assert snapshot() == before


def test_a_wrong_row_stops_the_whole_import(cast, tmp_path, capsys, english):
    before = snapshot()
    path = tmp_path / "items.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    code, _out, _err = run(capsys, "ci", "import", str(path))
    assert code == 1
    assert snapshot() == before


def test_a_clean_dry_run_says_what_would_happen(cast, tmp_path, capsys, english):
    path = tmp_path / "items.csv"
    path.write_text(ITEMS_CSV, encoding="utf-8")
    before = snapshot()
    code, out, _err = run(capsys, "ci", "import", str(path), "--dry-run")
    assert (code, out) == (0, "Dry run, nothing changed: 2 items would be new, 0 updated, "
                              "0 relationships new.\n")
    assert snapshot() == before


def test_import_then_export_round_trip_through_csv(cast, tmp_path, capsys, english):
    items, edges = tmp_path / "items.csv", tmp_path / "edges.csv"
    items.write_text(ITEMS_CSV, encoding="utf-8")
    edges.write_text("source,kind,target\napp-vm-01,runs_on,esx-01\nvm-web-01,runs_on,esx-01\n",
                     encoding="utf-8")
    assert run(capsys, "ci", "import", str(items))[:2] == (
        0, "2 items new, 0 updated, 0 relationships new.\n")
    assert run(capsys, "ci", "import", str(edges))[:2] == (
        0, "0 items new, 0 updated, 2 relationships new.\n")
    vm = ConfigurationItem.objects.get(name="app-vm-01")
    assert (vm.owner_team, vm.service, vm.customer, vm.attributes) == (
        cast.l2, cast.service, cast.customer, {"vcpus": 8, "os": "麒麟 V10"})

    out_items, out_edges = tmp_path / "out.csv", tmp_path / "out-edges.csv"
    assert run(capsys, "ci", "export", str(out_items))[0] == 0
    assert run(capsys, "ci", "export", str(out_edges), "--relationships")[0] == 0
    exported = out_items.read_text(encoding="utf-8-sig").splitlines()
    assert exported[0].startswith("name,type,status,owner_team,service,customer,location,"
                                  "vendor,contract,attr:")
    row = next(line for line in exported if line.startswith("app-vm-01,"))
    assert row.startswith("app-vm-01,virtual_machine,in_service,二线系统组,云主机服务,华信证券,"
                          "亦庄机房,华为,HW-UC-1,")
    assert out_edges.read_text(encoding="utf-8-sig").splitlines() == [
        "source,kind,target", "app-vm-01,runs_on,esx-01", "vm-web-01,runs_on,esx-01"]

    # The exported files read back in change nothing.
    before = snapshot()
    assert run(capsys, "ci", "import", str(out_items))[:2] == (
        0, f"0 items new, {ConfigurationItem.objects.count()} updated, "
           "0 relationships new.\n")
    assert run(capsys, "ci", "import", str(out_edges))[0] == 0
    assert snapshot()[:2] == before[:2]


def test_an_xlsx_workbook_carries_items_and_relationships(cast, tmp_path, capsys, english):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "configuration_items"
    sheet.append(["name", "type", "attr:warranty_until", "attr:cpu_cores"])
    sheet.append(["esx-02", "physical_server", "2027-06-30", 48])
    edges = workbook.create_sheet("relationships")
    edges.append(["source", "kind", "target"])
    edges.append(["vm-web-01", "runs_on", "esx-02"])
    edges.append(["vm-web-01", "sits_on", "esx-02"])
    path = tmp_path / "cmdb.xlsx"
    workbook.save(path)
    code, _out, err = run(capsys, "ci", "import", str(path))
    assert code == 1
    assert err.splitlines()[0] == ("cmdb.xlsx sheet relationships row 3: kind: Choose one of: "
                                   "runs_on, depends_on, connected_to, part_of.")
    assert not ConfigurationItem.objects.filter(name="esx-02").exists()

    edges.delete_rows(3)
    workbook.save(path)
    assert run(capsys, "ci", "import", str(path))[:2] == (
        0, "1 items new, 0 updated, 1 relationships new.\n")
    assert ConfigurationItem.objects.get(name="esx-02").attributes == {
        "warranty_until": "2027-06-30", "cpu_cores": 48}

    out = tmp_path / "out.xlsx"
    assert run(capsys, "ci", "export", str(out))[0] == 0
    exported = load_workbook(out, read_only=True)
    assert exported.sheetnames == ["configuration_items", "relationships"]
    assert list(exported["relationships"].iter_rows(values_only=True)) == [
        ("source", "kind", "target"), ("vm-web-01", "runs_on", "esx-02")]


def test_a_file_that_is_neither_table_is_refused(cast, tmp_path, capsys, english):
    path = tmp_path / "other.csv"
    path.write_text("host,ip\nx,1.2.3.4\n", encoding="utf-8")
    code, _out, err = run(capsys, "ci", "import", str(path))
    assert code == 1
    assert err == ("opsdesk: line 1: the header needs the columns name and type (items) or "
                   "source, kind and target (relationships).\n")
    (tmp_path / "x.txt").write_text("name,type\n")
    assert run(capsys, "ci", "import", str(tmp_path / "x.txt"))[2] == (
        "opsdesk: Give a .csv or .xlsx file.\n")


def test_a_gbk_csv_from_excel_is_read(cast):
    content = "name,type\n财务-vm-01,virtual_machine\n".encode("gbk")
    report = import_tables(read_tables("gbk.csv", content), actor=cast.engineer_chen,
                           source="web", dry_run=False)
    assert (report.problems, report.created) == ([], 1)
    assert ConfigurationItem.objects.filter(name="财务-vm-01").exists()


def test_only_editors_import(cast):
    tables = read_tables("x.csv", io.BytesIO(b"name,type\nz,storage\n").getvalue())
    with pytest.raises(Forbidden):
        import_tables(tables, actor=cast.agent_li, source="web", dry_run=True)
