"""WeCom (企业微信) group robot: a markdown message to the robot's webhook
(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…)."""

from opsdesk.core.models import Notification

from .base import check_robot_reply, encode, post_json, tagged_subject, usable_target

MAX_BYTES = 4096  # the robot rejects longer markdown content


def markdown(notification: Notification) -> str:
    text = f"**{tagged_subject(notification)}**\n\n{notification.body}"
    if notification.link:
        text += f"\n\n[{notification.reference}]({notification.link})"
    return text.encode()[:MAX_BYTES].decode(errors="ignore")


def send(notification: Notification) -> None:
    robot = usable_target(notification)
    payload = {"msgtype": "markdown", "markdown": {"content": markdown(notification)}}
    check_robot_reply(post_json(robot.url, encode(payload)), "errcode", "errmsg")
