"""The running assistant over REST: real answers, honest edges, and bad input survived."""

import pytest

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


def test_renting_question_cites_article_three(stack):
    text, replies = stack.ask("租房可以落户吗")
    assert CITE + "第（三）条" in text
    assert replies[0]["recipient_id"] == "e2e"


@pytest.mark.parametrize(
    "question, article",
    [
        ("我老豆老母想投靠我，有冇年龄限制", "第（五）条"),
        ("我本科毕业想喺韶关落户", "第（六）条"),
        ("进城落户要交回宅基地吗", "第（十一）条"),
        ("居住证可以享受哪些服务", "第（八）条"),
        ("现在还分农业户口和非农业户口吗", "第（七）条"),
    ],
)
def test_policy_questions_cite_their_article(stack, question, article):
    text, _ = stack.ask(question, sender="e2e-policy")
    assert article in text


def test_not_covered_and_out_of_scope_are_honest(stack):
    newborn, _ = stack.ask("新生儿怎么上户口", sender="e2e-edges")
    passport, _ = stack.ask("护照怎么办理", sender="e2e-edges")
    assert "没有规定" in newborn and "12345" in newborn
    assert "12345" in passport and CITE not in passport


def test_a_conversation_keeps_its_thread(stack):
    # issue 16: follow-ups that only make sense after the answer, and two questions in one message
    stack.ask("我在浈江租房，能落户吗", sender="e2e-thread")
    spouse, _ = stack.ask("那我老婆呢", sender="e2e-thread")
    assert "配偶" in spouse and "第（三）条" in spouse
    how_long, _ = stack.ask("要多久能办好", sender="e2e-thread")
    assert "没有规定" in how_long and CITE not in how_long
    two, replies = stack.ask("孩子在韶关上学需要什么条件？居住证怎么办", sender="e2e-two")
    assert "第（十二）条" in two and "第（八）条" in two and len(replies) >= 2


def test_no_article_for_another_citys_rules_or_a_sibling_as_direct_kin(stack):
    other, _ = stack.ask("许昌父母投靠子女落户条件", sender="e2e-other")
    assert "只能解答韶关市" in other and CITE not in other
    sibling, _ = stack.ask("我哥在韶关有户口，我可以投靠他吗", sender="e2e-sibling")
    assert "兄弟姐妹不在其中" in sibling and "居住证" in sibling


def test_buttons_are_returned(stack):
    _, replies = stack.ask("你可以做什么", sender="e2e-help")
    assert any(reply.get("buttons") for reply in replies)


@pytest.mark.parametrize(
    "message, fragment",
    [
        ("", "还没有输入内容"),
        ("   \x00\x07\u200b ", "还没有输入内容"),
        ("😀😀🙏", "看不懂表情"),
    ],
)
def test_empty_control_and_emoji_input_get_a_polite_reply(stack, message, fragment):
    text, _ = stack.ask(message, sender="e2e-bad")
    assert fragment in text


def test_twenty_thousand_characters_are_answered(stack):
    text, _ = stack.ask("我想问租房落户的事情。" * 2000, sender="e2e-long")
    assert "消息较长" in text


@pytest.mark.parametrize("raw", [b"{not json", b'["list"]', b'{"sender": "x", "message": 5}', b"\xff"])
def test_malformed_requests_get_4xx_and_server_keeps_serving(stack, raw):
    response = stack.post(data=raw)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    text, _ = stack.ask("租房可以落户吗", sender="e2e-after-bad")
    assert "第（三）条" in text


def test_ctrl_c_stops_everything_cleanly(stack):
    # last test in the module: the shared stack is stopped here
    assert stack.stop() == 0
