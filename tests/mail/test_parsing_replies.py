"""reply_text: what the sender wrote this time, without the history quoted below it."""

from pathlib import Path

import pytest

from opsdesk.mail.parsing import parse_message
from opsdesk.mail.quotes import reply_text

DATA = Path(__file__).parent.parent / "data" / "mail"


@pytest.mark.parametrize(("fixture", "expected"), [
    ("reply_outlook_zh.eml", "已经重启，现在正常了，谢谢。\n\n赵雷"),
    ("reply_qqmail.eml", "问题依旧，截图见附件。"),
    ("reply_gmail_en.eml", "Works again after the client update."),
    ("reply_chinese_client.eml", "好的，明天上午九点可以。"),
    ("reply_original_message.eml", "Confirmed, the backup job finished."),
    ("reply_interleaved.eml", "Third floor.\n\n> Since when?\n\nSince 9:00."),
])
def test_quoted_history_is_trimmed_and_text_kept_whole(fixture, expected):
    mail = parse_message((DATA / fixture).read_bytes())
    assert mail.reply_text == expected
    assert expected.split("\n")[0] in mail.text
    assert len(mail.text) > len(mail.reply_text)


def test_the_outlook_subject_in_chinese_is_decoded():
    mail = parse_message((DATA / "reply_outlook_zh.eml").read_bytes())
    assert mail.subject == "回复: [INC-2026-000042] 磁盘告警"
    assert mail.in_reply_to == ("<INC-2026-000042.3@opsdesk.example>",)


def test_a_message_that_is_only_a_quote_keeps_it():
    assert reply_text("> 只有引用\n> quoted only\n") == "> 只有引用\n> quoted only"


def test_a_sentence_ending_in_wrote_is_not_an_attribution():
    text = "Here is what the customer wrote:\n\nthe printer is broken\n"
    assert reply_text(text) == text.strip("\n")


def test_trailing_mobile_signatures_go():
    assert reply_text("收到，马上处理。\n\n发自我的iPhone\n") == "收到，马上处理。"
    assert reply_text("On my way.\n\nSent from my iPhone\n") == "On my way."


def test_an_outlook_block_without_a_sent_line_is_kept():
    text = "From: the logs I see this:\nerror 42\n"
    assert reply_text(text) == text.strip("\n")
