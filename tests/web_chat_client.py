"""A web chat client as the page connects (python-socketio, long-polling), for tests."""

import asyncio

import socketio


async def web_chat_session(port, requested=None):
    """Connect and ask for conversation ``requested``: the client, the id the server confirmed,
    and a queue of the reply texts that arrive on the socket."""
    replies, confirmed = asyncio.Queue(), asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("bot_uttered", lambda data: replies.put_nowait(data.get("text")))
    client.on("session_confirm", lambda data: confirmed.put_nowait(data))
    await client.connect(f"http://127.0.0.1:{port}", transports=["polling"])
    await client.emit("session_request", {"session_id": requested})
    return client, await asyncio.wait_for(confirmed.get(), 30), replies


async def hang_up(client):
    """Close the socket as the page does when it goes away: tell the server, and drop the pending
    long-poll instead of waiting for it.

    ``AsyncClient.disconnect()`` (python-socketio >= 5.10) waits for the long-poll GET the server
    still holds, and python-engineio's server does not answer that GET when the client closes, so
    each disconnect over polling took the client's poll timeout (about 30 s); 5.8.0's client did
    not wait. The server sees the same close either way and ends the socket.io session with it."""
    await client.eio.disconnect(abort=True)
