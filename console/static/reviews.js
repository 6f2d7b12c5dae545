// Review and publish (审核与发布): change sets with their per-field diff, approve / send back /
// publish, and the version history with roll back. Server text goes in via textContent.
"use strict";

(() => {
  if (document.body.dataset.page !== "reviews") return;
  const { el, call, showError, clearError, localTime } = window.staffConsole;
  const $ = (id) => document.getElementById(id);
  let mayReview = false;

  function notice(text) {
    $("notice").textContent = text;
    $("notice").hidden = !text;
  }

  const shown = (value) => (Array.isArray(value) ? value.join("\n") : (value ?? "")) || "（空）";

  function diffTable(change) {
    const rows = change.fields.map((f) => el("tr", {}, el("th", { scope: "row", text: f.label }),
      el("td", { class: "answer before", text: change.new ? "（新增）" : shown(f.before) }),
      el("td", { class: "answer after", text: shown(f.after) })));
    return el("table", { class: "grid diff" },
      el("caption", { text: `${change.new ? "新增" : "修改"}问答 ${change.id}：${change.question}` }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "栏目" }), el("th", { scope: "col", text: "原来" }),
        el("th", { scope: "col", text: "修改后" }))),
      el("tbody", {}, ...rows));
  }

  function button(text, handler, secondary) {
    const node = el("button", { type: "button", class: secondary ? "secondary" : "", text });
    node.addEventListener("click", handler);
    return node;
  }

  // The button used is re-drawn by load(): the focus moves to what happened (keyboard alone).
  function focusOn(id) {
    $(id).tabIndex = -1;
    $(id).focus();
  }

  async function act(url, body, done) {
    clearError();
    try {
      const result = await call("POST", url, body);
      notice(done(result));
      await load();
      focusOn("notice");
    } catch (failure) {
      showError(failure.message);
      focusOn("error");
    }
  }

  function reviewControls(set) {
    if (!mayReview) return [];
    if (set.state === "approved") {
      return [button("发布", () => act(`/staff/api/changes/${set.id}/publish`, {},
        (r) => `已发布第 ${r.version} 版，助手下一条消息起使用新答案。`))];
    }
    if (set.state !== "submitted") return [];
    if (set.mine) return [el("p", { class: "hint", text: "这是您提交的修改，需由另一位审核人审核。" })];
    const commentId = `comment-${set.id}`;
    const comment = el("textarea", { id: commentId, rows: 2, maxLength: 500 });
    return [el("label", { htmlFor: commentId, text: "审核意见（退回时必填）" }), comment,
      el("div", { class: "actions" },
        button("批准", () => act(`/staff/api/changes/${set.id}/approve`, { comment: comment.value },
          () => `已批准第 ${set.id} 号修改，可以发布。`)),
        button("退回修改", () => act(`/staff/api/changes/${set.id}/return`, { comment: comment.value },
          () => `已退回第 ${set.id} 号修改。`), true))];
  }

  // The author of a change sent back picks it up again in the editor (answers.js reads this).
  function resumeControls(set) {
    if (set.state === "submitted" && set.mine) {
      return [button("撤回（审核前修改或放弃）", () => act(`/staff/api/changes/${set.id}/withdraw`, {},
        () => `已撤回第 ${set.id} 号修改。`), true)];
    }
    if (!["returned", "withdrawn"].includes(set.state) || !set.mine || set.changes.length !== 1) return [];
    const change = set.changes[0];
    return [button(set.state === "returned" ? "按退回意见继续修改" : "继续修改", () => {
      sessionStorage.setItem("faqDraft", JSON.stringify({ entry: change.after, stamp: change.base_stamp,
        isNew: change.new }));
      window.location.assign("/staff/answers#draft");
    })];
  }

  function changeSet(set) {
    const who = [`提交：${set.author}，${localTime(set.created_at)}`];
    if (set.reviewer) who.push(`审核：${set.reviewer}${set.review_comment ? `（${set.review_comment}）` : ""}`);
    if (set.published_version) who.push(`发布为第 ${set.published_version} 版（${set.publisher}）`);
    return el("article", { class: "result", "data-change-set": String(set.id) },
      el("h3", { text: `第 ${set.id} 号修改 · ${set.state_label}` }),
      el("p", { class: "hint", text: who.join("；") }),
      set.note ? el("p", { text: `说明：${set.note}` }) : null,
      ...set.changes.map(diffTable), ...reviewControls(set), ...resumeControls(set));
  }

  function versionRow(event, current) {
    const what = el("td", {}, el("span", { text: event.summary }),
      event.note ? el("p", { class: "hint", text: event.note }) : null,
      event.diff ? el("details", {}, el("summary", { text: "改动明细" }), el("pre", { text: event.diff })) : null);
    const cell = el("td");
    if (mayReview && event.action === "publish" && event.version !== current) {
      const reasonId = `reason-${event.version}-${event.at}`;
      const reason = el("input", { id: reasonId, maxLength: 500 });
      cell.append(el("label", { htmlFor: reasonId, text: "回滚原因" }), reason,
        button(`回滚到第 ${event.version} 版`, () => act(`/staff/api/versions/${event.version}/rollback`,
          { reason: reason.value }, (r) => `已从第 ${r.previous} 版回滚到第 ${r.version} 版。`), true));
    }
    return el("tr", {}, el("td", { text: `第 ${event.version} 版` }),
      el("td", { text: event.action === "publish" ? "发布" : "回滚" }), el("td", { text: localTime(event.at) }),
      el("td", { text: event.by }), what, cell);
  }

  async function load() {
    try {
      const [me, sets, versions] = await Promise.all([call("GET", "/staff/api/me"),
        call("GET", "/staff/api/changes"), call("GET", "/staff/api/versions")]);
      mayReview = me.permissions.includes("answers_review");
      $("change-sets").replaceChildren(...sets.change_sets.map(changeSet));
      $("changes-empty").hidden = sets.change_sets.length > 0;
      const current = versions.versions.length ? versions.versions[0].version : null;
      $("versions").replaceChildren(...versions.versions.map((v) => versionRow(v, current)));
    } catch (failure) {
      showError(failure.message);
    }
  }

  load();
})();
