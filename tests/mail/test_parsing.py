"""parse_message on mail as Chinese, Japanese and European clients really write it."""

import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from opsdesk.mail.parsing import parse_message

DATA = Path(__file__).parent.parent / "data" / "mail"


def parse(name: str):
    return parse_message((DATA / name).read_bytes())


def test_it_decodes_gb18030_text_labelled_gb2312():
    mail = parse("gb18030_labelled_gb2312.eml")
    assert mail.subject == "磁盘告警：䶮喆服务器"
    assert "数据库服务器 db-喆-01 磁盘使用率 95%" in mail.text
    assert mail.sender_name == "张三"
    assert mail.sender_address == "zhangsan@example.com"
    assert mail.to == ("servicedesk@opsdesk.example", "li.na@opsdesk.example")
    assert mail.cc == ("wang.fang@opsdesk.example",)
    assert mail.date == datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert mail.message_id == "<gb18030-1@mail.example.com>"
    assert mail.noise is None


def test_it_decodes_big5_and_an_unencoded_big5_subject_by_the_body_charset():
    mail = parse("big5_unencoded_subject.eml")
    assert mail.subject == "印表機無法列印"
    assert "錯誤代碼 E-02" in mail.text
    assert mail.message_id == "<big5-1@example.com.tw>"  # brackets added
    assert any("8-bit" in defect for defect in mail.defects)


def test_it_decodes_iso_2022_jp():
    mail = parse("iso2022jp.eml")
    assert mail.subject == "サーバー障害の報告"
    assert "メールサーバーが停止しました" in mail.text


def test_it_joins_encoded_words_split_inside_a_character():
    mail = parse("split_encoded_words.eml")
    assert mail.subject == "网络中断：三号楼全部掉线"


def test_it_repairs_malformed_headers_and_records_what_it_did():
    mail = parse("split_encoded_words.eml")
    assert mail.sender_name == "赵雷"  # encoded word without its closing ?=
    assert mail.sender_address == "zhao.lei@huaxin.example"
    assert mail.cc == ("worf@example.org",)  # unknown charset: the address still comes through
    assert mail.date is None
    assert mail.in_reply_to == ("<INC-2026-000042.1@opsdesk.example>",)
    assert mail.references == ("<root@opsdesk.example>", "<INC-2026-000042.1@opsdesk.example>")
    assert any("without closing ?=" in defect for defect in mail.defects)
    assert any("x-klingon" in defect for defect in mail.defects)
    assert any("Date" in defect for defect in mail.defects)


def test_it_guesses_gbk_when_no_charset_is_declared():
    mail = parse("undeclared_gbk.eml")
    assert mail.subject == "邮件系统无法登录"
    assert "Outlook 提示密码错误" in mail.text
    assert "\ufffd" not in mail.text


def test_it_reads_utf8_text_labelled_latin1_as_utf8():
    mail = parse("utf8_labelled_latin1.eml")
    assert mail.subject == "Drucker fällt aus"
    assert "fällt aus – bitte prüfen" in mail.text


def test_html_only_mail_is_sanitised_and_converted_to_text():
    mail = parse("html_only_inline_image.eml")
    assert "<script" not in mail.html and "alert" not in mail.html
    assert "onclick" not in mail.html and "<style" not in mail.html
    assert 'src="cid:shot1@huaxin"' in mail.html
    assert mail.text == (
        "机房温度过高。\n\n步骤：\n1. 检查空调\n\n- A 区\n- B 区\n\n"
        "详见 知识库 (https://kb.example/7)"
    )


def test_inline_images_and_rfc2231_file_names():
    mail = parse("html_only_inline_image.eml")
    inline, attached = mail.attachments
    assert (inline.inline, inline.content_id, inline.content_type) == (
        True, "shot1@huaxin", "image/png")
    assert inline.payload.startswith(b"\x89PNG")
    assert attached.filename == "故障截图-服务器机房.png"
    assert attached.inline is False


def test_a_forwarded_message_is_listed_not_mixed_into_the_body():
    mail = parse("nested_rfc822.eml")
    assert mail.text == "请二线看看这封用户来信。"
    assert "INNER TEXT" not in mail.text
    names = [attachment.filename for attachment in mail.attachments]
    assert names == ["VPN 连不上.eml", "vpn.log"]
    assert mail.attachments[0].content_type == "message/rfc822"
    assert b"INNER TEXT" in mail.attachments[0].payload
    assert mail.attachments[1].payload.strip() == b"error 809"


def _tnef_attribute(level: int, attribute: int, data: bytes) -> bytes:
    """One TNEF attribute as MS-OXTNEF lays it out: level, id, length, data, checksum."""
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attribute, len(data)) + data + struct.pack("<H", checksum)


def winmail_dat(filename: str, content: bytes, body: str) -> bytes:
    message, attachment = 1, 2
    return b"".join([
        struct.pack("<IH", 0x223E9F78, 0x0001),  # signature, legacy key
        _tnef_attribute(message, 0x00089006, struct.pack("<I", 0x00010000)),  # attTnefVersion
        _tnef_attribute(message, 0x00069007, struct.pack("<II", 936, 0)),  # attOemCodepage
        _tnef_attribute(message, 0x0002800C, body.encode("ascii")),  # attBody
        _tnef_attribute(attachment, 0x00069002, b"\x01\x00" + b"\x00" * 12),  # attAttachRendData
        _tnef_attribute(attachment, 0x00018010, filename.encode("ascii") + b"\x00"),  # title
        _tnef_attribute(attachment, 0x0006800F, content),  # attAttachData
    ])


def test_winmail_dat_is_unpacked_into_its_files_and_body():
    blob = winmail_dat("report.txt", b"disk usage 95%", "Please see the report.")
    raw = (
        b"From: user@corp.example\r\nTo: servicedesk@opsdesk.example\r\nSubject: report\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes(blob) + b"--b--\r\n"
    )
    mail = parse_message(raw)
    assert [(a.filename, a.payload) for a in mail.attachments] == [
        ("report.txt", b"disk usage 95%")]
    assert "Please see the report." in mail.text


def test_a_damaged_winmail_dat_is_kept_as_a_file():
    raw = (b"From: a@corp.example\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n\r\n"
           b"not tnef at all")
    mail = parse_message(raw)
    assert [a.filename for a in mail.attachments] == ["winmail.dat"]
    assert any("winmail.dat" in defect for defect in mail.defects)


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\xff\xfe garbage",
    b"Subject: =?utf-8?B?####?=\r\nContent-Type: multipart/mixed\r\n\r\nno boundary",
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; "
    b"charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
    b"Date: Mon, 99 Foo 20260 99:99:99 +9999\r\nFrom: <<<@@@>>>\r\n\r\nbody",
    b"To: " + b"(" * 2000 + b"a@b.example" + b")" * 2000 + b"\r\n\r\nx",
    b"Subject: mac\rFrom: a@b.example\r\rbody with bare CR line ends\r",
])
def test_it_never_raises_on_malformed_input(raw):
    mail = parse_message(raw)
    assert isinstance(mail.text, str)
    assert mail.date is None or mail.date.tzinfo is not None


def test_bare_cr_line_ends_are_read_as_lines():
    mail = parse_message(b"Subject: mac\rFrom: A@B.example\r\rbody\r")
    assert (mail.subject, mail.sender_address, mail.text.strip()) == ("mac", "a@b.example", "body")


def test_a_date_without_zone_is_taken_as_utc():
    mail = parse_message(b"Date: Mon, 23 Nov 2026 02:00:00 -0000\r\n\r\nx")
    assert mail.date == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
