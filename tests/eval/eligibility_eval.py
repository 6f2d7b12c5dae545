"""Held-out evaluation of the step-by-step eligibility conversation (issue 3, "Done when").

A simulated resident reads ONLY the text of the bot's questions and answers from a profile's facts in free
colloquial Mandarin/Cantonese (phrasings chosen by a seeded random; button titles are never sent). Each profile
runs over REST against a running Stack; the verdict's applicable section must cite exactly the expected articles.

    python -m tests.eval.eligibility_eval --model models/shaoguan-hukou.tar.gz
    python -m tests.eval.eligibility_eval --model ... --profiles tests/eval/eligibility_profiles_unseen.yml

A profile may carry ``says``: its own answers per topic, in order of asking (typos, corrections, rambling);
past those the resident falls back to the shared phrasing pools below.
"""

import argparse
import json
import random
import re
import tempfile
from pathlib import Path

import yaml

from tests.stack import REPO, running_stack

PROFILES = REPO / "tests" / "eval" / "eligibility_profiles.yml"
REPORTS = REPO / "reports"
BASIS = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"
MAX_TURNS = 12
ARTICLE = re.compile(r"第（([一二三四五六七八九十]+)）条")

# Phrasing pools: "c:" marks Cantonese. {x} placeholders are filled from the profile's facts.
SAY = {
    "housing": {
        "owns": ["自己买的房子，有房产证", "c:买咗楼，仲供紧", "有套房，是我自己买的", "c:有层楼，自己嘅"],
        "built": ["在老家自己盖的房子", "c:自己起嘅屋", "住自己家盖的房"],
        "rents": ["租房住", "c:租紧屋", "跟朋友合租了一套", "c:租咗间屋住"],
        "dorm": ["住在厂里的宿舍", "c:喺公司宿舍住", "单位安排的宿舍"],
        "with_family": ["住在{who}家里", "c:同{who}一齐住，间屋系{who}嘅", "跟{who}住一起"],
        "none": ["暂时没有，还在找房", "c:冇啊，仲未搵到屋", "还没有固定住的地方"],
    },
    "where": {
        "town": ["在{place}", "c:喺{place}", "{place}那边"],
        "village": ["在{place}", "c:喺{place}度", "乡下，{place}"],
    },
    "family": {
        "none": ["就我自己一个人", "c:冇屋企人喺度", "家里人都在老家"],
        "spouse": ["我{who}是韶关户口，想投靠{who}", "c:我{who}系本地人，我想跟{who}落户", "想投靠我{who}，我们住一起"],
        "parent_joins_child": [
            "我想投靠{who}，{who}在这边落了户",
            "c:我想跟我{who}住，投靠{who}啦",
            "我年纪大了，{who}接我过来一起住，想把户口迁到{who}那里",
        ],
        "parents_join_me": ["我想把{who}接过来跟我一起住，户口也迁过来", "c:想接{who}过嚟同我住埋一齐，户口都迁埋"],
        "minor_child": [
            "我{who_child}才{age}岁，跟我们住，想把户口落过来",
            "c:系我{who_child}，今年先{age}岁，想投靠我哋",
        ],
        "adult_child": ["我{age}岁了，想投靠我爸妈，他们户口在韶关", "c:我今年{age}，想投靠返阿爸阿妈"],
        "sibling": ["我想投靠我{who}，{who}在韶关落户了", "c:我{who}喺韶关有户口，我想跟佢"],
        "other": ["只有个{who}在这边", "c:得个{who}喺韶关，算唔算？"],
    },
    "education": {"*": ["{education}毕业", "c:我读到{education}", "{education}学历", "c:{education}咋"]},
    "skill": {
        "yes": ["有，{cert}", "c:有个{cert}", "考了{cert}"],
        "no": ["没考过什么证", "c:冇证喎", "没有证书"],
        "junior": ["只有个初级工证", "c:得个初级证"],
        "unknown": ["c:唔知喎，有张证唔知系咪中级", "有个证，不太清楚算不算中级"],
    },
    "talent": {
        "yes": ["算是，{talent_detail}", "c:系啊，{talent_detail}"],
        "no": ["不是的，普通打工的", "c:唔系啊", "算不上"],
        "unknown": ["c:唔知算唔算", "这个我也说不好"],
    },
    "long_term": {
        "yes": ["是，{years}", "c:系啊，{years}"],
        "no": ["不是，刚来半年", "c:唔系，啱嚟冇耐", "来了还不到一年"],
        "unknown": ["c:讲唔定喎", "不好说，来了几年，工作换来换去"],
    },
    "hard": {
        "yes": ["是，{hard_detail}", "c:系，{hard_detail}"],
        "no": ["不是，做办公室的", "c:唔系，我做文员", "不算，在商场卖衣服"],
        "unknown": ["c:唔知算唔算艰苦", "说不好算不算"],
    },
    "land": {"yes": ["有，{land}", "c:有，{land}"], "no": ["没有", "c:冇"]},
    "relative": {"yes": ["有亲戚在城里落了户", "c:有个亲戚喺城度落咗户"], "no": ["没有", "c:冇喎"]},
}
# Asked the same thing a third time, the resident answers plainly (still in their own words, never a button).
PLAIN = {
    "housing": {
        "owns": ["买的房子", "c:自己买嘅楼"],
        "built": ["自己盖的房子"],
        "rents": ["租的房子", "c:租屋住"],
        "dorm": ["宿舍", "c:住宿舍"],
        "with_family": ["自己没买也没租，住在{who}那里"],
        "none": ["没地方住", "c:冇屋住"],
    },
    "where": {"town": ["{kind}"], "village": ["在村子里", "c:喺村度"]},
    "family": {
        "spouse": ["投靠{who}"],
        "parent_joins_child": ["我投靠{who}"],
        "parents_join_me": ["{who}投靠我"],
        "minor_child": ["{who_child}未成年，投靠我们"],
        "adult_child": ["我投靠爸妈，我已经成年了"],
        "sibling": ["投靠{who}"],
        "other": ["亲戚，{who}"],
        "none": ["c:冇", "没有家人在这"],
    },
    "skill": {"yes": ["有中级证"], "no": ["c:冇"], "junior": ["初级的，不是中级"]},
    "talent": {"yes": ["c:系"], "no": ["c:唔系"]},
    "long_term": {"yes": ["是，很多年了"], "no": ["c:唔系"]},
    "hard": {"yes": ["c:系"], "no": ["c:唔系"]},
}
PLACE_KIND = (("县城", "县城里"), ("镇", "镇上"))  # how a resident plainly names a town (otherwise 市区)
LAND = ["，老家还有{land}", "c:，乡下仲有{land}"]
REASK = [
    "那我这种情况能落户吗？",
    "c:咁我可唔可以落户啊？帮我睇下",
    "帮我看看我够不够条件落户",
    "请问我具体能不能落户呢？",
]
# What the question asks, recognised from its text only (first match wins).
TOPICS = [
    ("family", ("投靠", "家人", "亲属")),
    ("land", ("承包地", "宅基地")),
    ("relative", ("亲戚", "亲友")),
    ("where", ("市区", "县城", "村")),
    ("housing", ("住", "房")),
    ("education", ("学历", "毕业")),
    ("skill", ("证书", "技能")),
    ("talent", ("专业人才",)),
    ("long_term", ("多年", "很多年", "稳定")),
    ("hard", ("艰苦", "一线")),
]


def pick(pool, profile, key, attempt):
    rng = random.Random(f"{profile['id']}:{key}:{attempt}")
    canto = [p[2:] for p in pool if p.startswith("c:")]
    mando = [p for p in pool if not p.startswith("c:")]
    prefer = {"cantonese": 0.75, "mandarin": 0.2, "elderly": 0.1}.get(profile.get("style"), 0.5)
    choice = canto if canto and (rng.random() < prefer or not mando) else mando
    text = rng.choice(choice)
    if profile.get("style") == "elderly" and rng.random() < 0.5:
        text = rng.choice(["同志，", "嗯，", "是这样的，"]) + text
    return text


def answer(profile, question, buttons, state):
    facts = profile["facts"]
    topic = next((t for t, words in TOPICS if any(w in question for w in words)), None)
    if topic is None:
        return "不清楚"
    attempt = state.setdefault(topic, 0)
    state[topic] += 1
    value = "yes" if topic == "land" and facts.get("land") else facts.get(topic, "no" if topic == "land" else None)
    own = profile.get("says", {}).get(topic, [])
    if attempt < min(len(own), 4):  # the profile's own words for this question (typos, corrections, rambling)
        return own[attempt]
    if attempt >= 4:  # asked a fifth time: give up on this question as the bot invites ("也可以说“不清楚”")
        state["gave_up"] = state.get("gave_up", 0) + 1
        value = "unknown"
    pool = SAY[topic].get("*" if topic == "education" else value)
    if attempt >= 2 and value in PLAIN.get(topic, {}):
        pool = PLAIN[topic][value]
    if value == "unknown" or pool is None:
        return pick(["不太清楚", "c:唔知", "c:唔清楚喎"], profile, topic, attempt)
    for n in range(attempt, attempt + 5):  # never send a button title verbatim
        text = pick(pool, profile, topic, n).format(**facts)
        if text not in buttons:
            break
    if topic == "housing" and facts.get("land") and facts["land"] not in profile["opening"] and attempt == 0:
        text += random.Random(profile["id"]).choice(LAND).removeprefix("c:").format(**facts)
    return text


def last_question(replies):
    for reply in reversed(replies):
        text = reply.get("text", "")
        if "？" in text or "?" in text:
            end = max(text.rfind("？"), text.rfind("?"))
            return re.split(r"[。！\n]", text[: end + 1])[-1]
    return None


def parse_verdict(replies):
    """Sections of the verdict turn: applicable / possible / not_applicable; citations only from 依据 lines."""
    section, out = None, {"applicable": [], "possible": [], "fallback": []}
    for reply in replies:
        text = reply.get("text", "")
        header = text.split("\n", 1)[0]
        # "根据您的回答，您可以通过…" / "根据您的回答，下面的途径可能适用…" / "另外，下面的途径也可能适用…"
        if text.startswith("根据您的回答") or "可能适用" in header:
            section = "possible" if "可能" in header else "applicable"
        elif text.startswith("按您的回答"):
            section = "not_applicable"
        elif text.startswith(("要准备的材料", "（以下办事信息")):
            section = None
        cited = [a for line in text.splitlines() if line.startswith(BASIS) for a in ARTICLE.findall(line)]
        for article in cited:
            if article == "八":
                out["fallback"].append(article)
            elif article != "十一" and section in ("applicable", "possible"):
                out[section].append(article)
    return out


def run_profile(stack, profile):
    sender, state, transcript = f"elig-{profile['id']}", {}, []
    message, verdict, reasks, land_note = profile["opening"], None, 0, False
    for _ in range(MAX_TURNS):
        _, replies = stack.ask(message, sender=sender)
        transcript.append({"user": message, "bot": [r.get("text", "") for r in replies]})
        land_note = land_note or any("第（十一）条" in r.get("text", "") for r in replies)
        if any(r.get("text", "").startswith(("根据您的回答", "按您的回答")) for r in replies) and any(
            BASIS in r.get("text", "") for r in replies
        ):
            verdict = parse_verdict(replies)
            break
        question = last_question(replies)
        buttons = {b.get("title") for r in replies for b in r.get("buttons") or []}
        if question is None:  # no question asked (FAQ answer, error): the resident asks again
            message = pick(REASK, profile, "reask", reasks).format()
            reasks += 1
        else:
            message = answer(profile, question, buttons, state)
    expected = set(profile["expected"])
    cited = set(verdict["applicable"]) if verdict else set()
    ok = (
        bool(verdict)
        and expected <= cited <= expected | set(profile.get("also_ok", []))
        and (bool(cited) or "八" in verdict["fallback"])
    )
    return {
        "id": profile["id"],
        "persona": profile["persona"],
        "style": profile.get("style"),
        "expected": sorted(expected),
        "also_ok": profile.get("also_ok", []),
        "applicable": verdict and verdict["applicable"],
        "possible": verdict and verdict["possible"],
        "fallback": verdict and verdict["fallback"],
        "verdict": bool(verdict),
        "ok": ok,
        "turns": len(transcript),
        "reasks": reasks,
        "gave_up": state.get("gave_up", 0),
        "mentions_land": bool(profile["facts"].get("land")),
        "land_note": land_note,
        "transcript": transcript,
    }


def load_profiles(path=PROFILES):
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    yes_no = {True: "yes", False: "no"}  # YAML reads bare yes/no as booleans
    return [
        {
            **p,
            "facts": {
                k: yes_no.get(v, v) if isinstance(v, bool) else v for k, v in {**data["defaults"], **p["facts"]}.items()
            }
            | {"kind": next((k for w, k in PLACE_KIND if w in p["facts"].get("place", "")), "市区")},
        }
        for p in data["profiles"]
    ]


def totals(results):
    correct, land = sum(r["ok"] for r in results), [r for r in results if r["mentions_land"]]
    return [
        f"逐步判断准确率（适用途径恰好是期望条款）：{correct}/{len(results)} = {correct / len(results):.1%}",
        f"提到农村土地时说明第（十一）条：{sum(r['land_note'] for r in land)}/{len(land)}",
        f"同一问题答了 4 次没被听懂、只好说不清楚：{sum(bool(r['gave_up']) for r in results)}/{len(results)}",
    ]


def markdown(results):
    lines = [
        "# 落户条件逐步判断 · 独立评测",
        "",
        *totals(results),
        "",
        "| 画像 | 期望 | 适用 | 可能 | 兜底 | 轮数 | 结果 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['id']} {r['persona']} | {'、'.join(r['expected']) or '无→八'} | "
            f"{'、'.join(r['applicable'] or []) or '—'} | {'、'.join(r['possible'] or []) or '—'} | "
            f"{'、'.join(r['fallback'] or []) or '—'} | {r['turns']} | {'✓' if r['ok'] else '✗'} |"
        )
    lines += ["", "## 未答对", ""]
    for r in (r for r in results if not r["ok"]):
        lines.append(f"### {r['id']} {r['persona']}\n")
        lines += [
            f"- 居民：{t['user']}\n" + "".join(f"  - 助手：{b.replace(chr(10), ' / ')}\n" for b in t["bot"])
            for t in r["transcript"]
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--profiles", default=str(PROFILES), help="profile file (default: %(default)s)")
    parser.add_argument("--only", nargs="*", help="profile ids")
    parser.add_argument("--show", nargs="*", default=[], help="print these profiles' transcripts too")
    args = parser.parse_args()
    profiles = [p for p in load_profiles(args.profiles) if not args.only or p["id"] in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        with running_stack(Path(tmp), args.model) as stack:
            results = [run_profile(stack, p) for p in profiles]
    for r in results:
        print(
            f"{'✓' if r['ok'] else '✗'} {r['id']} {r['persona']}: 期望 {r['expected'] or '无→八'} "
            f"适用 {r['applicable']} 可能 {r['possible']} 兜底 {r['fallback']} ({r['turns']} 轮"
            + (f"，放弃回答 {r['gave_up']} 题" if r["gave_up"] else "")
            + ")"
        )
        for turn in r["transcript"] if not r["ok"] or r["id"] in args.show else []:
            print(f"    居民：{turn['user']}")
            print("\n".join("    助手：" + b.replace("\n", "\n          ") for b in turn["bot"]))
    print("\n" + "\n".join(totals(results)))
    correct = sum(r["ok"] for r in results)
    REPORTS.mkdir(exist_ok=True)
    summary = {"total": len(results), "correct": correct, "accuracy": correct / len(results), "results": results}
    # eligibility_profiles.yml -> reports/eligibility_eval.*; eligibility_profiles_unseen.yml -> ..._unseen.*;
    # sets/eligibility_fourth.yml -> ..._fourth.*
    stem = Path(args.profiles).stem
    name = "eligibility_eval" + stem.removeprefix("eligibility_profiles").removeprefix("eligibility")
    (REPORTS / f"{name}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (REPORTS / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
