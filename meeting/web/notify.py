"""Push personal notices through the broker to wherever the person's pages are open."""

from __future__ import annotations

from meeting.live.notices import notice_frame, user_channel
from meeting.services import Services


async def push_notices(svc: Services, notices: list[tuple[int, str]]) -> None:
    for user_id, frame in notices:
        await svc.broker.publish(user_channel(user_id), frame)


async def push_promotion(svc: Services, user_id: int | None, code: str, title: str) -> None:
    if user_id is not None:
        await push_notices(svc, [(user_id, notice_frame("promoted", code, title))])
