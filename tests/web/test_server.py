"""web/server.py, the web page and staff console server (aiohttp 3.9.5, held by Rasa's pin): compressed
request bodies are refused before anything inflates them (issue 17, finding 8; CVE-2025-69223)."""

import asyncio
import gzip

from aiohttp.test_utils import TestClient, TestServer

from web.server import make_app

BOMB = gzip.compress(b"a" * 50_000_000)  # 50 MB that travels as 50 KB


def _post(folder, path, body, headers):
    async def post():
        async with TestClient(TestServer(make_app(folder, 5005))) as client:
            response = await client.post(path, data=body, headers=headers)
            return response.status

    return asyncio.run(post())


def test_a_compressed_body_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB_URL", f"sqlite:///{tmp_path / 'console.db'}")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for encoding in ("gzip", "deflate", "GZIP "):
        assert _post(tmp_path, "/staff/login", BOMB, {**form, "Content-Encoding": encoding}) == 415, encoding
    # aiohttp's own parser already refuses an encoding it cannot inflate (no brotli installed)
    assert _post(tmp_path, "/staff/login", BOMB, {**form, "Content-Encoding": "br"}) in (400, 415)
    plain = _post(tmp_path, "/staff/login", b"username=a&password=b", form)
    assert plain != 415  # an ordinary form still reaches the console
