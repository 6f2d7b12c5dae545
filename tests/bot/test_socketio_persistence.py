"""Issue 17, finding 8: python-socketio at the release that fixes its advisories, and the web chat
still answered with Rasa 3.6's session persistence (RasaHQ/rasa#13027).

From 5.10 on, ``AsyncServer.enter_room``/``leave_room`` are coroutines, and Rasa 3.6's
``session_request`` calls ``enter_room`` without ``await``: the socket never joins its
conversation's room, and every reply, sent to that room, reaches nobody. These tests run Rasa's
real app with our channel over real HTTP (long-polling, as tests/web_chat_client.py connects), with
the fake agent of the WeChat channel tests answering.
"""

import asyncio
from importlib.metadata import version

import pytest
from packaging.version import Version
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Sanic

from tests.bot.test_wechat_channel import ANSWER, Server
from tests.web_chat_client import hang_up, web_chat_session

REPLY_SECONDS = 10


def test_python_socketio_is_a_release_with_both_advisories_fixed():
    # CVE-2025-61765 fixed in 5.14.0, CVE-2026-48804 in 5.16.2 (SECURITY.md)
    assert Version(version("python-socketio")) >= Version("5.16.2")


@pytest.fixture(scope="module")
def sanic_test_mode():
    """Lets this process hold more than one "rasa_server" app."""
    test_mode, Sanic.test_mode = Sanic.test_mode, True
    yield
    Sanic.test_mode = test_mode


@pytest.fixture(scope="module")
def served(sanic_test_mode):
    from bot.channels.socketio import ResidentSocketIOInput

    channel = ResidentSocketIOInput(session_persistence=True)
    with Server(extra_channels=[channel]) as running:
        yield running, channel


async def _ask(client, replies, text="租房可以落户吗"):
    await client.emit("user_uttered", {"message": text})
    return await asyncio.wait_for(replies.get(), REPLY_SECONDS)


async def _reply_then_reload(port):
    client, conversation_id, replies = await web_chat_session(port)
    first = await _ask(client, replies)
    await hang_up(client)
    # The page reloads: a new socket asks for the conversation it kept in sessionStorage.
    again, again_id, again_replies = await web_chat_session(port, conversation_id)
    second = await _ask(again, again_replies)
    await hang_up(again)
    return conversation_id, first, again_id, second


def test_a_reply_arrives_and_a_reloaded_page_resumes_its_conversation(served):
    server, _ = served
    conversation_id, first, again_id, second = asyncio.run(_reply_then_reload(server.port))
    assert first == ANSWER and second == ANSWER
    assert again_id == conversation_id
    assert server.agent.texts(conversation_id) == ["租房可以落户吗", "租房可以落户吗"]


async def _two_tabs(port):
    tab, conversation_id, tab_replies = await web_chat_session(port)
    other_tab, _, other_replies = await web_chat_session(port, conversation_id)
    try:
        answered = await _ask(tab, tab_replies)
        # Every socket of the conversation is in its room: the other tab shows the answer too.
        return answered, await asyncio.wait_for(other_replies.get(), REPLY_SECONDS)
    finally:
        await hang_up(tab)
        await hang_up(other_tab)


def test_every_socket_of_a_conversation_hears_its_replies(served):
    server, _ = served
    assert asyncio.run(_two_tabs(server.port)) == (ANSWER, ANSWER)


def _send_to_conversation(server, channel, conversation_id, text):
    """What Rasa does for a reply outside a message turn (a hotline agent's): emit to the room."""
    output = SocketIOOutput(channel.sio, "bot_uttered")
    asyncio.run_coroutine_threadsafe(output.send_text_message(conversation_id, text), server.loop).result(10)


async def _switch_conversation(server, channel):
    client, first_id, replies = await web_chat_session(server.port)
    confirmed = asyncio.Queue()
    client.on("session_confirm", lambda data: confirmed.put_nowait(data))
    try:
        # The same socket asks for a new conversation: it leaves the first one's room.
        await client.emit("session_request", {"session_id": None})
        second_id = await asyncio.wait_for(confirmed.get(), REPLY_SECONDS)
        await asyncio.to_thread(_send_to_conversation, server, channel, first_id, "给第一个会话")
        await asyncio.to_thread(_send_to_conversation, server, channel, second_id, "给第二个会话")
        heard = [await asyncio.wait_for(replies.get(), REPLY_SECONDS)]
        await asyncio.sleep(0.3)
        while not replies.empty():
            heard.append(replies.get_nowait())
        return first_id, second_id, heard
    finally:
        await hang_up(client)


def test_a_socket_that_takes_a_new_conversation_no_longer_hears_the_old_one(served):
    server, channel = served
    first_id, second_id, heard = asyncio.run(_switch_conversation(server, channel))
    assert first_id != second_id
    assert heard == ["给第二个会话"]


async def _page_across_a_restart():
    from bot.channels.socketio import ResidentSocketIOInput

    first = Server(extra_channels=[ResidentSocketIOInput(session_persistence=True)])
    await asyncio.to_thread(first.__enter__)
    client, conversation_id, replies = await web_chat_session(first.port)
    confirmed = asyncio.Queue()
    client.on("session_confirm", confirmed.put_nowait)

    async def ask_again():  # as webchat/app.js does on every (re)connect
        await client.emit("session_request", {"session_id": conversation_id})

    client.on("connect", ask_again)
    try:
        before = await _ask(client, replies)
        await asyncio.to_thread(first.__exit__, None, None, None)
        # Rasa comes back on the same address; the client reconnects by itself (1-5 s back-off).
        second = Server(extra_channels=[ResidentSocketIOInput(session_persistence=True)])
        second.port = first.port
        await asyncio.to_thread(second.__enter__)
        try:
            resumed = await asyncio.wait_for(confirmed.get(), 30)
            after = await _ask(client, replies)
            return conversation_id, before, resumed, after, second.agent.texts(conversation_id)
        finally:
            await hang_up(client)
            await asyncio.to_thread(second.__exit__, None, None, None)
    finally:
        if client.connected:
            await hang_up(client)


def test_a_page_whose_server_restarted_reconnects_to_its_conversation(sanic_test_mode):
    conversation_id, before, resumed, after, heard_after = asyncio.run(_page_across_a_restart())
    assert before == ANSWER and after == ANSWER
    assert resumed == conversation_id
    assert heard_after == ["租房可以落户吗"]
