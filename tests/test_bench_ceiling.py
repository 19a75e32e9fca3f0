"""W5's bare ceiling: with a relay, the bare room sends every chat frame through Redis and
every worker delivers what it hears there, so its 2-worker figure is a real cross-process
broadcast and not each worker talking to its own half of the room."""

from __future__ import annotations

import json
import time
from pathlib import Path

import redis
from redis.client import PubSub
from websockets.sync.client import ClientConnection, connect

from bench.ceiling import RELAY_CHANNEL
from bench.run import bare_room_url, ceiling_server


def chat_text(socket: ClientConnection) -> str:
    frame = json.loads(socket.recv(timeout=5))
    assert frame["type"] == "chat"
    return str(frame["text"])


def next_message(pubsub: PubSub) -> str:
    """The next message published (the subscription's confirmation is skipped)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=1)
        if message is not None:
            return str(message["data"])
    raise AssertionError("nothing was published on the relay channel")


def test_bare_room_relays_every_frame_through_redis(redis_url: str, tmp_path: Path) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    heard = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
    heard.subscribe(RELAY_CHANNEL)
    with (
        ceiling_server(tmp_path, tmp_path / "ceiling.log", relay=redis_url) as (base, _pid),
        connect(bare_room_url(base)) as poster,
        connect(bare_room_url(base)) as reader,
    ):
        for socket in (poster, reader):
            assert json.loads(socket.recv(timeout=5))["type"] == "snapshot"
        poster.send(json.dumps({"text": "through redis"}))
        assert json.loads(next_message(heard))["text"] == "through redis"
        assert [chat_text(s) for s in (poster, reader)] == ["through redis"] * 2

        # What another worker publishes reaches this worker's sockets too.
        other = json.dumps({"type": "chat", "text": "from the other worker"})
        client.publish(RELAY_CHANNEL, other)
        assert [chat_text(s) for s in (poster, reader)] == ["from the other worker"] * 2
    heard.close()
    client.close()
