"""A room socket's direct wire: uvicorn's own WebSocket connection, reached from its ASGI send.

Rooms write prepared frames straight to the transport (meeting/live/outbox.py). ASGI has
no way to hand over several frames in one write or one frame already serialised, so the
outermost layer keeps the server's own `send` in the scope; when it belongs to uvicorn's
`websockets-sansio` protocol (the one `meeting serve` runs), the room writes through it.
Anything else (another server, another protocol class) gets no wire and the room sends
through ASGI as before: slower, never wrong.

A prepared frame is exactly what `websockets` would have written for `send_text`: the
library keeps no count of outgoing data frames, only the connection's state, which `ready`
checks before a socket's first waiting frame is queued and `write` again before the bytes
go out.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

SERVER_SEND_KEY = "meeting.server_send"


class KeepServerSend:
    """Outermost middleware: remember the server's own `send` for WebSocket scopes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND_KEY] = send
        await self.app(scope, receive, send)


class UvicornWire:
    """Writes to one accepted uvicorn WebSocket while it is open."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    def ready(self) -> bool:
        protocol = self._protocol
        return protocol.writable.is_set() and _not_closing(protocol)

    def write(self, data: bytes | bytearray) -> None:
        protocol = self._protocol
        if protocol.conn.state is State.OPEN and _not_closing(protocol):
            protocol.transport.write(data)


def _not_closing(protocol: WebSocketsSansIOProtocol) -> bool:
    """No close frame sent and the transport still open (uvicorn closes it on a peer's close
    frame or a protocol error)."""
    return not protocol.close_sent and not protocol.transport.is_closing()


def wire_of(scope: Scope) -> UvicornWire | None:
    """The socket's wire, when the server is uvicorn's websockets-sansio protocol."""
    send: Any = scope.get(SERVER_SEND_KEY)
    protocol = getattr(send, "__self__", None)
    if isinstance(protocol, WebSocketsSansIOProtocol) and protocol.handshake_complete:
        return UvicornWire(protocol)
    return None
