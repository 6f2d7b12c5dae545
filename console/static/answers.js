// The answers library (问答库): list and filter, read with the articles' text beside, edit with
// live checks, preview, try a question, submit for review. Server text goes in via textContent.
"use strict";

(() => {
  if (document.body.dataset.page !== "answers") return;
  const { el, call, showError, clearError } = window.staffConsole;
  const $ = (id) => document.getElementById(id);
  const FIELDS = ["id", "file", "intent", "question", "phrasings", "answer", "articles", "related", "owner",
    "status", "review_by"];
  const LISTS = { phrasings: "\n", articles: "、", related: "、" };
  const csrfHeader = () => ({ "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content });
  let data = null;
  let mayEdit = false;
  let editing = null; // { entry, isNew }
  let checkTimer = null;
  let checkSeq = 0;
  let lastOpened = null; // the entry whose 查看 button the keyboard returns to

  function notice(text) {
    $("notice").textContent = text;
    $("notice").hidden = !text;
  }

  // Keyboard alone: when the control that was used disappears, the focus goes where the user reads next.
  function focusOn(id) {
    $(id).tabIndex = -1;
    $(id).focus();
  }

  function backToList() {
    show("library");
    const opened = lastOpened && document.querySelector(`tr[data-faq-id="${CSS.escape(lastOpened)}"] button`);
    if (opened) opened.focus(); else $("f-text").focus();
  }

  function findArticle(number) {
    return number === data.preamble.number ? data.preamble : data.articles.find((a) => a.number === number);
  }

  function articleLabel(number) {
    const article = findArticle(number);
    return article ? article.label : number;
  }

  function matches(faq) {
    const text = $("f-text").value.trim();
    const haystack = [faq.id, faq.question, faq.answer, ...faq.phrasings].join("\n");
    return (!text || haystack.includes(text))
      && (!$("f-article").value || faq.articles.includes($("f-article").value))
      && (!$("f-owner").value || faq.owner === $("f-owner").value)
      && (!$("f-status").value || faq.display_status === $("f-status").value)
      && (!$("f-overdue").checked || faq.overdue)
      && (!$("f-nocite").checked || faq.articles.length === 0);
  }

  function row(faq) {
    const open = el("button", { type: "button", class: "secondary", text: "查看" });
    open.setAttribute("aria-label", `查看：${faq.question}`);
    open.addEventListener("click", () => showDetail(faq));
    const review = el("td", { text: faq.review_by || "—" });
    if (faq.overdue) review.append(el("strong", { class: "overdue", text: "（已过期）" }));
    return el("tr", { "data-faq-id": faq.id },
      el("td", {}, el("span", { text: faq.question }), el("br"), el("small", { class: "mono hint", text: faq.id })),
      el("td", { text: faq.articles.map(articleLabel).join("、") || "（无）" }),
      el("td", { text: faq.owner || "—" }),
      el("td", { text: faq.pending ? `${faq.status_label}（第 ${faq.pending} 号修改）` : faq.status_label }),
      review, el("td", {}, open));
  }

  function renderList() {
    const shown = data.faqs.filter(matches);
    $("faq-rows").replaceChildren(...shown.map(row));
    $("count").textContent = `共 ${data.faqs.length} 条问答，显示 ${shown.length} 条（在线版本：第 ${data.version || "—"} 版）。`;
  }

  function fillFilters() {
    const all = [data.preamble, ...data.articles];
    $("f-article").replaceChildren(el("option", { value: "", text: "全部条款" }),
      ...all.map((a) => el("option", { value: a.number, text: `${a.label} ${a.heading || ""}` })));
    $("articles-all").replaceChildren(...all.map((a) => articleBlock(a.number)));
    $("f-owner").replaceChildren(el("option", { value: "", text: "全部部门" }),
      ...data.owners.map((o) => el("option", { value: o, text: o })));
    $("e-file").replaceChildren(...data.files.map((f) => el("option", { value: f, text: f })));
    $("intent-list").replaceChildren(...data.intents.map((i) => el("option", { value: i })));
  }

  async function load() {
    clearError();
    try {
      const [library, me] = await Promise.all([call("GET", "/staff/api/answers"), call("GET", "/staff/api/me")]);
      data = library;
      mayEdit = me.permissions.includes("answers_edit");
      $("new-faq").hidden = !mayEdit;
      $("sheet-form").hidden = !mayEdit;
      fillFilters();
      renderList();
      openReportDraft();
    } catch (failure) {
      showError(failure.message);
    }
  }

  // From the unanswered-question report (问答分析): a new draft with the residents' questions.
  function openReportDraft() {
    const stored = sessionStorage.getItem("faqDraft");
    sessionStorage.removeItem("faqDraft");
    if (!stored || window.location.hash !== "#draft" || !mayEdit) return;
    const draft = JSON.parse(stored);
    if (draft.entry) {
      openEditor({ ...draft.entry, stamp: draft.stamp }, draft.isNew);
      notice("这是您之前提交的修改（已退回或已撤回）：改好后重新提交审核。");
      return;
    }
    if (!draft.report) return;
    openEditor({ ...blank, ...draft.report, file: data.files[0], stamp: "new" }, true);
    notice("已根据居民的问题生成草稿：居民的原话已填成标准问题和其他问法。请补上意图、答案和引用条款，检查通过后提交审核。");
  }

  function show(section) {
    for (const id of ["library", "detail", "editor"]) $(id).hidden = id !== section;
  }

  function articleBlock(number) {
    const article = findArticle(number);
    if (!article) return el("p", { class: "error", text: `引用了不存在的条款“${number}”` });
    return el("article", { class: "article" }, el("h4", { text: `${article.label} ${article.heading || ""}` }),
      el("p", { class: "answer", text: article.text }));
  }

  function showDetail(faq) {
    lastOpened = faq.id;
    $("detail-title").textContent = faq.question;
    $("detail-faq").replaceChildren(el("dl", { class: "facts" },
      ...[["编号", faq.id], ["意图", faq.intent], ["其他问法", faq.phrasings.join("\n")], ["答案", faq.answer],
        ["依据", faq.citation || "（未引用条款）"], ["负责部门", faq.owner], ["状态", faq.status_label],
        ["复核日期", faq.review_by + (faq.overdue ? "（已过期）" : "")], ["文件", faq.file]]
        .flatMap(([label, value]) => [el("dt", { text: label }), el("dd", { class: "answer", text: value || "—" })])));
    $("detail-articles").replaceChildren(...(faq.articles.length ? faq.articles.map(articleBlock)
      : [el("p", { class: "hint", text: "这条问答没有引用条款。" })]));
    $("edit-faq").hidden = !mayEdit;
    $("edit-faq").onclick = () => openEditor(faq, false);
    show("detail");
    $("detail-title").focus();
  }

  function openEditor(entry, isNew) {
    editing = { entry, isNew };
    $("editor-title").textContent = isNew ? "新增问答" : `修改问答：${entry.question}`;
    for (const field of FIELDS) {
      const value = entry[field];
      $(`e-${field}`).value = Array.isArray(value) ? value.join(LISTS[field]) : (value || "");
    }
    $("e-id").readOnly = !isNew;
    $("e-file").disabled = !isNew;
    $("e-note").value = "";
    $("conflict").hidden = true;
    $("preview").hidden = true;
    show("editor");
    $(isNew ? "e-id" : "e-question").focus();
    scheduleCheck(0);
  }

  function formValues() {
    const faq = {};
    for (const field of FIELDS) {
      const raw = $(`e-${field}`).value;
      faq[field] = field in LISTS ? raw.split(field === "phrasings" ? /\n/ : /[\n,，、;；\s]+/)
        .map((s) => s.trim()).filter(Boolean) : raw.trim();
    }
    return faq;
  }

  function showProblems(problems) {
    for (const node of document.querySelectorAll("#faq-form .field-error")) node.textContent = "";
    for (const field of [...FIELDS, "general"]) $(`e-${field}`)?.removeAttribute("aria-invalid");
    for (const problem of problems) {
      const target = $(`err-${problem.field}`) || $("err-general");
      const where = problem.field === "phrasings" && problem.item !== null ? `第 ${problem.item + 1} 个问法：` : "";
      target.textContent = [target.textContent, where + problem.message].filter(Boolean).join("\n");
      $(`e-${problem.field}`)?.setAttribute("aria-invalid", "true");
    }
  }

  function scheduleCheck(delay) {
    clearTimeout(checkTimer);
    $("submit-faq").disabled = true;
    $("check-state").textContent = "正在检查……";
    checkTimer = setTimeout(runCheck, delay);
  }

  async function runCheck() {
    const seq = ++checkSeq;
    try {
      const result = await call("POST", "/staff/api/answers/check", { faq: formValues(), is_new: editing.isNew });
      if (seq !== checkSeq) return; // an older answer arriving after a newer check
      showProblems(result.problems);
      $("submit-faq").disabled = result.problems.length > 0;
      $("check-state").textContent = result.problems.length
        ? `检查发现 ${result.problems.length} 个问题，改正后才能提交。` : "检查通过，可以提交审核。";
    } catch (failure) {
      if (seq === checkSeq) $("check-state").textContent = failure.message;
    }
  }

  function versionTable(theirs, yours, labels) {
    const rows = FIELDS.map((field) => {
      const a = theirs ? [].concat(theirs[field] ?? "").join("\n") : "（不存在）";
      const b = [].concat(yours[field] ?? "").join("\n");
      return el("tr", { class: a === b ? "" : "changed" }, el("th", { scope: "row", text: labels[field] || field }),
        el("td", { class: "answer", text: a }), el("td", { class: "answer", text: b }));
    });
    return el("table", { class: "grid" }, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "栏目" }),
      el("th", { scope: "col", text: "对方的版本" }), el("th", { scope: "col", text: "您的版本" }))),
    el("tbody", {}, ...rows));
  }

  async function submit(event) {
    event.preventDefault();
    clearError();
    const body = { faq: formValues(), stamp: editing.isNew ? "new" : editing.entry.stamp, is_new: editing.isNew,
      note: $("e-note").value };
    const response = await fetch("/staff/api/changes", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...csrfHeader() },
      body: JSON.stringify(body) });
    const result = await response.json().catch(() => ({}));
    if (response.status === 201) {
      notice(`已提交审核（第 ${result.change_set.id} 号修改）。审核人批准并发布后，居民才会看到新的答案。`);
      show("library");
      await load();
      focusOn("notice");
      return;
    }
    if (response.status === 409 && result.theirs !== undefined) {
      $("conflict").replaceChildren(el("p", { text: result.error }), versionTable(result.theirs, result.yours,
        result.labels || {}));
      $("conflict").hidden = false;
      focusOn("conflict");
      return;
    }
    if (result.problems) showProblems(result.problems);
    showError(result.error || `提交失败（HTTP ${response.status}）`);
    focusOn("error");
  }

  async function preview() {
    clearError();
    try {
      const shown = await call("POST", "/staff/api/answers/preview", { faq: formValues() });
      $("preview-web").textContent = shown.web.text;
      $("preview-buttons").replaceChildren(...shown.web.buttons.map((b) => el("li", { text: b })));
      $("preview-wechat").replaceChildren(...shown.wechat.map((page) => el("li", { class: "answer", text: page })));
      $("preview").hidden = false;
      $("preview").scrollIntoView({ block: "nearest" });
    } catch (failure) {
      showError(failure.message);
    }
  }

  function hitText(label, hit) {
    if (!hit) return el("p", { text: `${label}：没有` });
    return el("p", { text: `${label}：${hit.question}（${hit.id}，得分 ${hit.score}）` });
  }

  async function tryQuestion(event) {
    event.preventDefault();
    const question = $("try-q").value.trim();
    if (!question) return;
    try {
      const faq = $("editor").hidden ? undefined : formValues();
      const result = await call("POST", "/staff/api/answers/try", { question, faq });
      $("try-result").replaceChildren(hitText("会回答的问答", result.best), hitText("第二名", result.runner_up));
      if (faq && faq.status === "draft") {
        $("try-result").append(el("p", { class: "hint", text: "这条问答是草稿，草稿不回答居民，也不参与检索。" }));
      }
    } catch (failure) {
      showError(failure.message);
    }
  }

  async function uploadSheet(event) {
    event.preventDefault();
    clearError();
    $("sheet-errors").replaceChildren();
    const form = new FormData($("sheet-form"));
    const response = await fetch("/staff/api/answers/sheet", { method: "POST", credentials: "same-origin", body: form,
      headers: csrfHeader() });
    const result = await response.json().catch(() => ({}));
    if (response.status === 201) {
      notice(`表格已提交审核（第 ${result.change_set.id} 号修改，共 ${result.change_set.changes.length} 条问答）。`);
      $("sheet-form").reset();
      await load();
      focusOn("notice");
      return;
    }
    $("sheet-errors").replaceChildren(...(result.rows || []).map((text) => el("li", { text })));
    showError(result.error || `上传失败（HTTP ${response.status}）`);
    focusOn("error");
  }

  const blank = { id: "", file: "", intent: "", question: "", phrasings: [], answer: "", articles: [], related: [],
    owner: "", status: "draft", review_by: "", stamp: "new" };
  for (const id of ["f-text", "f-article", "f-owner", "f-status", "f-overdue", "f-nocite"]) {
    $(id).addEventListener("input", renderList);
  }
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("new-faq").addEventListener("click", () => openEditor({ ...blank, file: data.files[0] }, true));
  $("back-list").addEventListener("click", backToList);
  $("cancel-edit").addEventListener("click", backToList);
  $("faq-form").addEventListener("input", (event) => { if (event.target.id !== "e-note") scheduleCheck(500); });
  $("faq-form").addEventListener("submit", submit);
  $("preview-faq").addEventListener("click", preview);
  $("try-form").addEventListener("submit", tryQuestion);
  $("sheet-form").addEventListener("submit", uploadSheet);
  $("detail-title").tabIndex = -1;
  load();
})();
