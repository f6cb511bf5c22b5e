"""Bounces, auto-replies and bulk mail are recognised; people's mail is not."""

from pathlib import Path

import pytest

from opsdesk.mail.message import Noise
from opsdesk.mail.parsing import parse_message

DATA = Path(__file__).parent.parent / "data" / "mail"


def parse(name: str):
    return parse_message((DATA / name).read_bytes())


def test_an_rfc3464_report_is_a_bounce_with_the_failed_address_and_our_message_id():
    mail = parse("bounce_dsn_postfix.eml")
    assert mail.noise == Noise.BOUNCE
    assert mail.noise_reason == "multipart/report; report-type=delivery-status"
    assert mail.bounced_recipients == ("nobody@huaxin.example",)  # the delayed one is not failed
    assert mail.bounced_message_ids == ("<INC-2026-000042.7@opsdesk.example>",)


def test_a_qmail_bounce_without_report_is_read_from_its_text():
    mail = parse("bounce_qmail.eml")
    assert mail.noise == Noise.BOUNCE
    assert mail.noise_reason == "From: mailer-daemon@mail.example.cn"
    assert mail.bounced_recipients == ("gone@example.cn",)
    assert mail.bounced_message_ids == ("<INC-2026-000050.1@opsdesk.example>",)


def test_an_exim_bounce_returns_the_original_as_a_message():
    mail = parse("bounce_exim_returned.eml")
    assert mail.noise == Noise.BOUNCE
    assert mail.bounced_recipients == ("left@example.org",)
    assert mail.bounced_message_ids == ("<INC-2026-000051.4@opsdesk.example>",)
    assert "已解决" not in mail.text  # the returned message is not the bounce's body


@pytest.mark.parametrize(("fixture", "noise", "reason"), [
    ("auto_reply_rfc3834.eml", Noise.AUTO_REPLY, "Auto-Submitted: auto-replied"),
    ("auto_reply_outlook_ooo.eml", Noise.AUTO_REPLY,
     "Subject: Automatic reply: [INC-2026-000042] 磁盘告警"),
    ("auto_reply_chinese_subject.eml", Noise.AUTO_REPLY, "Subject: 自动回复: [INC-2026-000042]"),
    ("auto_reply_x_autoreply.eml", Noise.AUTO_REPLY, "x-autoreply: yes"),
    ("bulk_precedence.eml", Noise.BULK, "Precedence: bulk"),
    ("bulk_list_unsubscribe.eml", Noise.BULK, "list-unsubscribe: <mailto:leave@vendor.example>"),
])
def test_automatic_mail_is_noise(fixture, noise, reason):
    mail = parse(fixture)
    assert (mail.noise, mail.noise_reason) == (noise, reason)
    assert mail.bounced_recipients == ()


@pytest.mark.parametrize("fixture", [
    "human_suppress_header_only.eml",  # Outlook sets X-Auto-Response-Suppress on ordinary mail
    "human_auto_submitted_no.eml",
    "gb18030_labelled_gb2312.eml",
    "reply_outlook_zh.eml",
])
def test_mail_from_people_is_not_noise(fixture):
    mail = parse(fixture)
    assert (mail.noise, mail.noise_reason) == (None, "")


def test_a_null_sender_is_a_bounce():
    raw = (b"Return-Path: <>\r\nFrom: robot@mx.example\r\nSubject: Mail\r\n\r\n"
           b"Unknown user: lost@example.net\r\n")
    mail = parse_message(raw)
    assert (mail.noise, mail.bounced_recipients) == (Noise.BOUNCE, ("lost@example.net",))


def test_a_read_receipt_is_noise_but_not_a_bounce():
    raw = (b"From: user@example.net\r\nSubject: Read: hello\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/report; report-type=disposition-notification; boundary=r\r\n"
           b"\r\n--r\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n--r--\r\n")
    mail = parse_message(raw)
    assert (mail.noise, mail.noise_reason) == (
        Noise.AUTO_REPLY, "multipart/report; report-type=disposition-notification")


def test_a_hotmail_complaint_is_noise():
    raw = (b"From: staff@hotmail.example\r\nSubject: complaint about message from 192.0.2.1\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
           b"--c\r\nContent-Type: message/rfc822\r\n\r\n"
           b"X-HmXmrOriginalRecipient: someone@hotmail.example\r\n"
           b"From: servicedesk@opsdesk.example\r\nSubject: [INC-2026-000042]\r\n\r\n"
           b"body\r\n--c--\r\n")
    mail = parse_message(raw)
    assert (mail.noise, mail.noise_reason) == (
        Noise.AUTO_REPLY, "Hotmail junk-mail complaint (JMRP)")


def _forwarded_bounce(own_words: str) -> bytes:
    return (
        "From: zhao.min@huaxin.example\r\nTo: servicedesk@opsdesk.example\r\n"
        "Subject: Fwd: Undelivered Mail Returned to Sender\r\nMessage-ID: <fw1@huaxin.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{own_words}\r\n\r\nBegin forwarded message:\r\n\r\n"
        "> From: MAILER-DAEMON@mx.huaxin.example\r\n"
        "> Subject: Undelivered Mail Returned to Sender\r\n>\r\n"
        "> <gone@partner.example>: host mx.partner.example said: 550 no such user\r\n"
    ).encode()


def test_a_bounce_forwarded_without_a_word_is_noise_but_a_question_about_one_is_not():
    assert parse_message(_forwarded_bounce("")).noise == Noise.BOUNCE
    asked = parse_message(_forwarded_bounce("为什么我发给合作方的邮件被退回了？"))
    assert asked.noise is None
