"""The parser against real third-party mail in ../shared/realdata/emails (skipped without it)."""

import re
from functools import cache
from pathlib import Path

import pytest

from opsdesk.mail.message import Noise
from opsdesk.mail.parsing import parse_message
from opsdesk.mail.quotes import reply_text

REPO = Path(__file__).resolve().parents[2]
EMAILS = REPO.parent / "shared" / "realdata" / "emails"

pytestmark = [
    pytest.mark.acceptance,
    pytest.mark.skipif(not EMAILS.is_dir(), reason=f"{EMAILS} is absent"),
]

# sisimai's corpus also holds messages that are not automatic; each is named with the reason.
NOT_NOISE = {
    "is-not-bounce-01.eml": "sisimai's own negative example: an ordinary message from a person",
}
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@cache
def all_files() -> tuple[Path, ...]:
    return tuple(sorted(path for path in EMAILS.rglob("*") if path.is_file()))


def test_every_file_parses():
    for path in all_files():
        mail = parse_message(path.read_bytes())
        assert not any(d.startswith("parser failed") for d in mail.defects), (path, mail.defects)
        assert mail.date is None or mail.date.tzinfo is not None, path


def test_every_sisimai_bounce_and_auto_reply_is_noise():
    messages = sorted((EMAILS / "sisimai_set-of-emails").rglob("*.eml"))
    assert len(messages) > 400
    missed = {}
    for path in messages:
        mail = parse_message(path.read_bytes())
        if mail.noise is None:
            missed[path.name] = mail.subject
        if mail.noise == Noise.BOUNCE:
            assert all("@" in address for address in mail.bounced_recipients), path
            assert all(i.startswith("<") for i in mail.bounced_message_ids), path
    assert set(missed) == set(NOT_NOISE), missed


def test_most_sisimai_bounces_name_the_failed_address():
    bounces = [parse_message(path.read_bytes())
               for path in sorted((EMAILS / "sisimai_set-of-emails").rglob("*.eml"))]
    bounces = [mail for mail in bounces if mail.noise == Noise.BOUNCE]
    named = [mail for mail in bounces if mail.bounced_recipients]
    assert len(named) >= 0.95 * len(bounces)


@pytest.mark.parametrize(("relative", "where"), [
    ("spamscope_mail-parser/tests/mails/mail_test_12", "subject"),  # GB2312
    ("spamscope_mail-parser/tests/mails/mail_test_9", "subject"),  # GB2312, two words
    ("imap_tools/tests/messages/error_emails/content_transfer_encoding_empty.eml",
     "subject"),  # raw 8-bit Big5
    # Its subject is English ("Nuu"): what it shows is that x-gbk is read without damage.
    ("webklex_php-imap/tests/messages/gbk_charset.eml", "text"),
    # A GB2312-labelled DSN without a subject, whose body holds GB18030-only bytes.
    ("php-mime-mail-parser/tests/mails/failure.eml", "text"),
])
def test_chinese_charset_mail_decodes_to_readable_text(relative, where):
    mail = parse_message((EMAILS / relative).read_bytes())
    value = getattr(mail, where)
    assert "\ufffd" not in value
    if relative.endswith("gbk_charset.eml"):
        assert value.strip() == "Hi" and not mail.defects
    else:
        assert CJK.search(value), value


def test_the_gb2312_labelled_dsn_is_a_bounce():
    mail = parse_message((EMAILS / "php-mime-mail-parser/tests/mails/failure.eml").read_bytes())
    assert mail.noise == Noise.BOUNCE
    assert "次の受信者またはグループへの配信に失敗しました" in mail.text


def test_winmail_dat_in_real_outlook_mail_is_unpacked():
    mail = parse_message(
        (EMAILS / "mimekit_testdata/UnitTests/TestData/tnef/rich-text.eml").read_bytes())
    names = [attachment.filename for attachment in mail.attachments]
    assert "kitten-playing-with-a-christmas-tree.jpg" in names
    assert "winmail.dat" not in names
    assert "Christmas to remember" in mail.text


def test_outlook_body_repeated_in_winmail_dat_appears_once():
    mail = parse_message((EMAILS / "mimekit_testdata/UnitTests/TestData/tnef/ukr.eml").read_bytes())
    assert mail.text.count("шостий") == 1


# Where OpsDesk deliberately differs from discourse's trimmer, and why.
TRIMMER_DIFFERENCES = {
    "forwarded_gmail.txt": "a forward's content is what the sender wants on the ticket",
    "forwarded_message.txt": "as forwarded_gmail",
    "signatures.txt": "only trailing mobile signatures go; a paragraph of them is kept",
    "delimiters.txt": "lines of symbols are not treated as signatures",
    "spam_1.txt": "a mail that is nothing but nested quotes is kept whole",
    "embedded_email_11.txt": "a bare date line without a colon is not an attribution",
    "embedded_email_12.txt": "an attribution broken over five lines is not recognised",
    "embedded_email_17.txt": "answers interleaved after the quote are kept",
    "embedded_email_18.txt": "an attribution with nothing quoted under it is kept",
    "embedded_email_7.txt": "a '>'-quoted signature block below interleaved answers is kept",
}


def test_reply_trimming_agrees_with_discourse_except_where_listed():
    base = EMAILS / "discourse_email_reply_trimmer" / "test"
    disagreements = set()
    for source in sorted((base / "emails").glob("*.txt")):
        expected = base / "trimmed" / source.name
        if expected.exists() and reply_text(source.read_text()).strip() != (
            expected.read_text().strip()
        ):
            disagreements.add(source.name)
    assert disagreements == set(TRIMMER_DIFFERENCES)


def test_github_reply_parser_samples_lose_their_attributions():
    attribution = re.compile(r"^On .*wrote:\s*$")
    for source in sorted((EMAILS / "github_email_reply_parser" / "test" / "emails").glob("*")):
        text = source.read_text(errors="replace")
        trimmed = reply_text(text)
        assert trimmed.strip(), source
        if not text.lstrip().startswith(">"):
            assert not any(attribution.match(line) for line in trimmed.splitlines()), source
