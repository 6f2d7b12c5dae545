"""(b) The status database unreachable: a polite reply, and recovery with nothing restarted."""

STATUS_DOWN = "申请进度查询暂时用不了"
POLITE_WITHIN_SECONDS = 2.0


def test_status_db_down_then_back(drill):
    assert "受理编号" in drill.ask("status-down-1", "我的申请办到哪一步了").text
    drill.proxies["status"].cut()

    answer = drill.ask("status-down-1", "SG2026110001 121017")
    assert STATUS_DOWN in answer.text and "12345" in answer.text, answer.text
    assert answer.seconds < POLITE_WITHIN_SECONDS, f"took {answer.seconds:.2f} s"
    # Starting a lookup while it is down: told at once, not asked for credentials first.
    answer = drill.ask("status-down-2", "我的申请办到哪一步了")
    assert STATUS_DOWN in answer.text and "受理编号" not in answer.text

    drill.proxies["status"].restore()
    # Pooled connections died with the cut; pool_pre_ping replaces them on the very next lookup,
    # on whichever action server gets it: try enough new conversations to reach both.
    for number in range(4):
        answer = drill.ask(f"status-back-{number}", "帮我查下SG2026110001到咩阶段，身份证尾号121017")
        assert "受理编号 SG2026110001" in answer.text and "申请人：张*" in answer.text, answer.text
