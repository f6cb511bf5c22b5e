"""Similarity for duplicate suggestions: Chinese titles sharing words score
higher than unrelated ones, without a segmenter."""

import pytest

from opsdesk.incidents.similarity import similarity, tokens


def test_chinese_is_split_into_overlapping_pairs():
    assert tokens("网银登录") == {"网银", "银登", "登录"}


def test_latin_words_are_lower_cased_and_kept_whole():
    assert tokens("VPN down on vm-web-01") == {"vpn", "down", "on", "vm-web-01"}


def test_mixed_text_keeps_both():
    assert tokens("Oracle数据库宕机") == {"oracle", "数据", "据库", "库宕", "宕机"}


@pytest.mark.parametrize(("title", "related", "unrelated"), [
    ("网银系统登录缓慢", "网银登录很慢", "打印机卡纸"),
    ("核心交换机端口告警", "交换机端口down告警", "申请虚拟机磁盘扩容"),
    ("VPN 无法连接", "vpn连接失败", "邮箱密码重置"),
    ("数据库连接池耗尽", "数据库连接超时", "会议室投影仪无信号"),
])
def test_titles_sharing_words_score_higher_than_unrelated_ones(title, related, unrelated):
    assert similarity(title, related) > similarity(title, unrelated)
    assert similarity(title, related) >= 0.2, "offered as a duplicate candidate"
    assert similarity(title, unrelated) < 0.2, "not offered"


def test_identical_titles_score_one_and_order_does_not_matter():
    assert similarity("磁盘空间不足", "磁盘空间不足") == 1.0
    assert similarity("网银登录", "登录网银慢") == similarity("登录网银慢", "网银登录")


def test_empty_or_punctuation_only_text_scores_zero():
    assert similarity("", "网银登录") == 0.0
    assert similarity("！？。", "！？。") == 0.0
