// The staff console's only script: plain DOM, no framework, no build step.
// Everything from the server is put on the page with textContent, never as HTML.
"use strict";

(() => {
  const page = document.body.dataset.page;
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.content : "";
  const errorBox = document.getElementById("error");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
  }

  // One request to the console API. `poll`: a background refresh, which must not count as
  // activity (the session's idle timeout keeps running).
  async function call(method, url, body, poll) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (poll) headers["X-Console-Poll"] = "1";
    let response;
    try {
      response = await fetch(url, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new Error("无法连接控制台服务，请检查网络后重试。");
    }
    if (response.status === 401) {
      window.location.assign("/staff/login");
      throw new Error("登录已过期，请重新登录。");
    }
    let data = {};
    try { data = await response.json(); } catch (_) { /* an empty or non-JSON error body */ }
    if (!response.ok) throw new Error(data.error || `请求失败（HTTP ${response.status}）`);
    return data;
  }

  function duration(seconds) {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    if (hours) return `${hours} 小时 ${minutes} 分`;
    if (minutes) return `${minutes} 分 ${seconds % 60} 秒`;
    return `${seconds} 秒`;
  }

  function localTime(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString("zh-CN", { hour12: false });
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // Not a secure context (plain http on a LAN address): the old way still works.
      const area = el("textarea", { value: text, readOnly: true, class: "offscreen" });
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    const label = button.textContent;
    button.textContent = "已复制";
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  function every(seconds, refresh) {
    refresh(false);
    setInterval(() => refresh(true), seconds * 1000);
  }

  // —— 政策检索 ——
  function searchPage() {
    const form = document.getElementById("search-form");
    const results = document.getElementById("results");
    const notCovered = document.getElementById("not-covered");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError();
      const query = document.getElementById("q").value.trim();
      if (!query) return;
      try {
        const data = await call("GET", `/staff/api/search?q=${encodeURIComponent(query)}`);
        notCovered.hidden = !data.not_covered;
        notCovered.textContent = data.not_covered || "";
        results.replaceChildren(...data.results.map(resultItem));
        if (!data.results.length) results.append(el("li", { class: "hint", text: "没有找到相近的问答，请换个说法，或按热线流程处理。" }));
      } catch (failure) {
        showError(failure.message);
      }
    });
  }

  function resultItem(result) {
    const button = el("button", { type: "button", class: "copy", text: "复制答案和依据" });
    button.addEventListener("click", () => copy(result.text, button));
    return el("li", { class: "result", "data-faq-id": result.faq_id },
      el("h2", { text: result.question }),
      el("p", { class: "answer", text: result.answer }),
      el("p", { class: "citation", text: result.citation }),
      button);
  }

  // —— 进度查询 ——
  function statusPage() {
    const form = document.getElementById("status-form");
    const output = document.getElementById("status-result");
    const tail = document.getElementById("id_tail");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError();
      output.replaceChildren();
      const body = { application_no: document.getElementById("application_no").value, id_tail: tail.value };
      tail.value = ""; // the caller's ID digits do not stay on screen
      try {
        const data = await call("POST", "/staff/api/status", body);
        output.append(data.found ? statusView(data.application) : el("p", { class: "notice", text: data.message }));
      } catch (failure) {
        showError(failure.message);
      }
    });
  }

  function facts(pairs) {
    const list = el("dl", { class: "facts" });
    for (const [label, value] of pairs) {
      if (value === undefined || value === null || value === "") continue;
      list.append(el("dt", { text: label }), el("dd", { text: String(value) }));
    }
    if (!list.childElementCount) list.append(el("dd", { class: "hint", text: "（暂无）" }));
    return list;
  }

  function statusView(app) {
    return facts([
      ["受理编号", app.application_no],
      ["申请人", app.masked_name],
      ["类别", app.category],
      ["当前状态", app.status],
      ["办理窗口", app.office],
      ["提交日期", app.submitted_at],
      ["最近更新", app.updated_at],
      ["说明", app.note],
      ["下一步", app.next_step],
    ]);
  }

  // —— 转人工队列 ——
  function queuePage() {
    const body = document.getElementById("queue");
    const empty = document.getElementById("queue-empty");
    every(10, async (poll) => {
      try {
        const data = await call("GET", "/staff/api/queue", undefined, poll);
        clearError();
        body.replaceChildren(...data.items.map(queueRow));
        empty.hidden = data.items.length > 0;
      } catch (failure) {
        showError(failure.message);
      }
    });
  }

  function queueRow(item) {
    const state = item.taken_by ? `${item.status_label}（${item.taken_by}）` : item.status_label;
    return el("tr", { "data-conversation": item.conversation_id, "data-handoff": String(item.id) },
      el("td", { text: duration(item.waiting_seconds) }),
      el("td", { text: item.channel_label }),
      el("td", { text: item.reason_label }),
      el("td", { text: state }),
      el("td", { class: "mono", text: item.conversation_id }),
      el("td", {}, el("a", { href: `/staff/handoff/${item.id}`, text: "查看对话" })));
  }

  // —— 对话详情 ——
  const SLOT_LABELS = { application_no: "受理编号", id_tail: "身份证后六位" };

  function handoffPage() {
    const id = window.location.pathname.split("/").pop();
    const take = document.getElementById("take");
    const handback = document.getElementById("handback");
    const replyForm = document.getElementById("reply-form");
    const replyText = document.getElementById("reply");
    let shown = "";

    async function load(poll) {
      let data;
      try {
        data = await call("GET", `/staff/api/handoffs/${id}`, undefined, poll);
      } catch (failure) {
        showError(failure.message);
        return;
      }
      const snapshot = JSON.stringify([data.item.status, data.item.taken_by, data.transcript, data.transcript_error]);
      if (snapshot === shown) return; // unchanged: keep the reader's scroll position
      shown = snapshot;
      if (data.transcript_error) showError(data.transcript_error); else clearError();
      renderHandoff(data);
      const item = data.item;
      take.hidden = !(item.status === "waiting" || (item.status === "active" && !item.mine));
      take.disabled = item.status === "active" && !item.mine;
      handback.hidden = !(item.status === "waiting" || (item.status === "active" && item.mine));
      replyForm.hidden = !(item.status === "active" && item.mine);
    }

    async function act(action, body) {
      clearError();
      try {
        await call("POST", `/staff/api/handoffs/${id}/${action}`, body);
        return true;
      } catch (failure) {
        showError(failure.message);
        return false;
      } finally {
        await load(false);
      }
    }

    take.addEventListener("click", () => act("take", {}));
    handback.addEventListener("click", () => act("handback", {}));
    replyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = replyText.value.trim();
      if (!text) return;
      if (await act("reply", { text })) replyText.value = "";
    });
    every(5, load);
  }

  function renderHandoff(data) {
    const item = data.item;
    document.getElementById("handoff-info").replaceWith(Object.assign(facts([
      ["会话", item.conversation_id],
      ["渠道", item.channel_label],
      ["原因", item.reason_label],
      ["状态", item.taken_by ? `${item.status_label}（${item.taken_by}）` : item.status_label],
      ["转人工时间", localTime(item.created_at)],
      ["已等待", duration(item.waiting_seconds)],
    ]), { id: "handoff-info" }));
    const transcript = data.transcript;
    const list = document.getElementById("transcript");
    const formState = document.getElementById("form-state");
    if (!transcript) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(...transcript.entries.map(transcriptEntry));
    formState.textContent = [
      transcript.form ? `进行中的表单：${transcript.form}` : "没有进行中的表单",
      transcript.paused ? "助手已暂停（人工处理中）" : "助手正在自动回答",
    ].join("；");
    document.getElementById("slots").replaceWith(Object.assign(
      facts(Object.entries(transcript.slots).map(([name, value]) => [SLOT_LABELS[name] || name, value])),
      { id: "slots" }));
  }

  function transcriptEntry(entry) {
    const time = el("time", { text: localTime(entry.time) });
    switch (entry.kind) {
      case "user": {
        const understood = entry.intent
          ? `识别为 ${entry.intent}（置信度 ${entry.confidence === null ? "—" : entry.confidence.toFixed(2)}）`
          : "未识别意图";
        return el("li", { class: "user" }, time, el("strong", { text: "居民：" }), el("span", { class: "text", text: entry.text }),
          el("small", { class: "intent", text: understood }));
      }
      case "bot":
        return el("li", { class: entry.staff ? "bot staff" : "bot" }, time,
          el("strong", { text: entry.staff ? "工作人员：" : "助手：" }), el("span", { class: "text", text: entry.text }),
          entry.buttons.length ? el("small", { text: `按钮：${entry.buttons.join(" ｜ ")}` }) : null);
      case "slot":
        return el("li", { class: "event" }, time,
          el("span", { text: `记录 ${SLOT_LABELS[entry.name] || entry.name}：${entry.value === null ? "（清空）" : entry.value}` }));
      case "form":
        return el("li", { class: "event" }, time, el("span", { text: entry.name ? `开始表单 ${entry.name}` : "表单结束" }));
      case "pause":
        return el("li", { class: "event pause" }, time, el("span", { text: "助手已暂停（人工接管）" }));
      case "resume":
        return el("li", { class: "event resume" }, time, el("span", { text: "助手已恢复自动回答" }));
      default:
        return el("li", { class: "event", text: entry.kind });
    }
  }

  // —— 问答分析 ——
  async function reportPage() {
    try {
      const data = await call("GET", "/staff/api/report");
      document.getElementById("unanswered").replaceChildren(...data.unanswered.map(groupRow));
      document.getElementById("unanswered-empty").hidden = data.unanswered.length > 0;
      document.getElementById("least-useful").replaceChildren(...data.least_useful.map((row) => el("tr", {},
        el("td", { class: "mono", text: row.faq_id }), el("td", { text: row.question }),
        el("td", { text: String(row.useful) }), el("td", { text: String(row.not_useful) }))));
      document.getElementById("least-useful-empty").hidden = data.least_useful.length > 0;
    } catch (failure) {
      showError(failure.message);
    }
  }

  function groupRow(group) {
    const kinds = group.kinds.map((k) => (k.count === null ? k.label : `${k.label} ${k.count}`)).join("、");
    const button = el("button", { type: "button", class: "copy", text: "复制草稿" });
    button.addEventListener("click", () => copy(group.draft, button));
    const examples = el("ul", {}, ...group.examples.map((text) => el("li", { text })));
    // One click to a draft in the answers library, its questions prefilled as phrasings (answers.js).
    const draft = el("button", { type: "button", text: "在问答库中起草" });
    draft.setAttribute("aria-label", `在问答库中起草：${group.examples[0]}`);
    draft.addEventListener("click", () => {
      sessionStorage.setItem("faqDraft", JSON.stringify({ report: group.entry }));
      window.location.assign("/staff/answers#draft");
    });
    return el("tr", {},
      el("td", { text: String(group.count) }),
      el("td", { text: kinds }),
      el("td", {}, examples),
      el("td", {}, el("details", {}, el("summary", { text: "查看草稿" }), el("pre", { text: group.draft }), button), draft));
  }

  // —— 审计日志 ——
  function auditPage() {
    const form = document.getElementById("audit-form");
    const select = document.getElementById("audit-action");
    let actionsLoaded = false;
    async function load() {
      clearError();
      const params = new URLSearchParams(new FormData(form));
      try {
        const data = await call("GET", `/staff/api/audit?${params}`);
        if (!actionsLoaded) {
          for (const [value, label] of Object.entries(data.actions)) select.append(el("option", { value, text: label }));
          actionsLoaded = true;
        }
        document.getElementById("audit").replaceChildren(...data.entries.map((e) => el("tr", {},
          el("td", { text: localTime(e.at) }), el("td", { text: e.username }), el("td", { text: e.action_label }),
          el("td", { class: "mono", text: e.target }), el("td", { text: e.detail }))));
      } catch (failure) {
        showError(failure.message);
      }
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    load();
  }

  const pages = { search: searchPage, status: statusPage, queue: queuePage, handoff: handoffPage,
    report: reportPage, audit: auditPage };
  if (pages[page]) pages[page]();
  // Shared with the answers library's scripts (answers.js, reviews.js).
  window.staffConsole = { el, call, showError, clearError, localTime };
})();
