// 韶关户籍政策助手 · web chat widget on Rasa's socketio channel (bot/credentials.yml `socketio:`).
// The conversation survives a reload: the Rasa session id and the rendered history live in
// sessionStorage, and session_persistence makes Rasa put the reconnected socket back in the
// same conversation. Every message is written with textContent, never parsed as HTML.
import { io } from "socket.io-client";

const KEYS = { session: "sg-hukou.session", history: "sg-hukou.history", large: "sg-hukou.large-text" };
const MAX_HISTORY = 200;
const REPLY_TIMEOUT_MS = 30000;
const HOTLINE_HINT = "如急需帮助，请拨打 12345 热线。";

// Read at load: document.currentScript is only set while the script first runs.
const SCRIPT = document.currentScript;
const $ = (id) => document.getElementById(id);
const ui = {
  chat: $("chat"), log: $("log"), typing: $("typing"), status: $("status"),
  form: $("composer"), input: $("input"), send: $("send"), size: $("text-size"),
};

/** `data-socket-url` on the script tag, else the page's meta tag, else this host on port 5005. */
function socketUrl() {
  const meta = document.querySelector('meta[name="rasa-socket-url"]');
  const candidates = [SCRIPT && SCRIPT.dataset.socketUrl, meta && meta.content];
  const configured = candidates.find((url) => url && /^https?:\/\/[^\s]+$/.test(url));
  return configured || `${location.protocol}//${location.hostname}:5005`;
}

// Storage can be switched off (private browsing, strict settings): the chat still works.
function load(storage, key, fallback) {
  try {
    const raw = storage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (_) {
    return fallback;
  }
}

function save(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch (_) {
    /* nothing to do: the conversation just won't survive a reload */
  }
}

let sessionId = load(sessionStorage, KEYS.session, null);
let history = load(sessionStorage, KEYS.history, []);
if (!Array.isArray(history)) history = [];
let replyTimer = null;

function setLargeText(on) {
  document.documentElement.classList.toggle("large-text", on);
  ui.size.setAttribute("aria-pressed", String(on));
}

function showStatus(text) {
  ui.status.textContent = text;
  ui.status.hidden = !text;
}

function scrollToEnd() {
  ui.chat.scrollTop = ui.chat.scrollHeight;
}

/** Only the newest bot message's buttons can be tapped; older ones stay visible, greyed out. */
function refreshChips() {
  const items = ui.log.children;
  for (let i = 0; i < items.length; i += 1) {
    const live = i === items.length - 1 && items[i].classList.contains("bot");
    items[i].querySelectorAll(".chip").forEach((chip) => { chip.disabled = !live; });
  }
}

function render(entry) {
  const item = document.createElement("li");
  item.className = `msg ${entry.who}`;
  item.textContent = entry.text;
  if (entry.buttons && entry.buttons.length) {
    const chips = document.createElement("div");
    chips.className = "chips";
    for (const button of entry.buttons) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = button.title;
      chip.addEventListener("click", () => send(button.payload, button.title));
      chips.appendChild(chip);
    }
    item.appendChild(chips);
  }
  ui.log.appendChild(item);
}

/** Shows the resident's question at the top, so a long answer is read from its beginning. */
function scrollToQuestion() {
  const questions = ui.log.querySelectorAll(".msg.user");
  if (questions.length) questions[questions.length - 1].scrollIntoView({ block: "start" });
}

function addMessage(entry) {
  history.push(entry);
  history = history.slice(-MAX_HISTORY);
  save(sessionStorage, KEYS.history, history);
  render(entry);
  refreshChips();
  if (entry.who === "user") scrollToEnd();
  else scrollToQuestion();
}

function setTyping(on) {
  clearTimeout(replyTimer);
  ui.typing.hidden = !on;
  if (on) {
    replyTimer = setTimeout(() => {
      ui.typing.hidden = true;
      showStatus(`暂时没有收到回复，请稍后再试。${HOTLINE_HINT}`);
    }, REPLY_TIMEOUT_MS);
    scrollToEnd();
  }
}

function setReady(ready) {
  ui.send.disabled = !ready;
}

/** Sends `message` (a button's payload or typed text) and shows `shown` as the resident's bubble. */
function send(message, shown) {
  if (!socket.connected || !sessionId) {
    showStatus("正在连接助手，请稍候再发送。");
    return false;
  }
  if (shown !== null) addMessage({ who: "user", text: shown });
  socket.emit("user_uttered", { message, session_id: sessionId });
  setTyping(true);
  return true;
}

/** Rasa's socketio output: {text}, with buttons as `quick_replies` (or `buttons`). */
function onBotMessage(data) {
  if (!data || typeof data !== "object") return;
  const text = typeof data.text === "string" ? data.text : "";
  const raw = data.quick_replies || data.buttons;
  const buttons = (Array.isArray(raw) ? raw : [])
    .filter((b) => b && b.title && b.payload)
    .map((b) => ({ title: String(b.title), payload: String(b.payload) }));
  if (!text && !buttons.length) return;
  setTyping(false);
  showStatus("");
  addMessage({ who: "bot", text, buttons });
}

function onSessionConfirm(data) {
  const id = typeof data === "string" ? data : data && data.session_id;
  if (!id) return;
  const fresh = !history.length;
  sessionId = id;
  save(sessionStorage, KEYS.session, id);
  showStatus("");
  setReady(true);
  // A new visitor sees the menu of topics as buttons without having to ask for it.
  if (fresh) send("/help", null);
}

// Restore the text size and the conversation before connecting.
setLargeText(load(localStorage, KEYS.large, false) === true);
history.forEach(render);
refreshChips();
scrollToEnd();
setReady(false);

const socket = io(socketUrl(), {
  transports: ["websocket", "polling"],
  tryAllTransports: true,
  reconnectionDelayMax: 10000,
});
socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
socket.on("session_confirm", onSessionConfirm);
socket.on("bot_uttered", onBotMessage);
socket.on("disconnect", () => {
  setReady(false);
  showStatus("连接已断开，正在重新连接……");
});
socket.on("connect_error", () => {
  setReady(false);
  showStatus(`暂时连不上助手，正在重试……${HOTLINE_HINT}`);
});

ui.size.addEventListener("click", () => {
  const on = !document.documentElement.classList.contains("large-text");
  setLargeText(on);
  save(localStorage, KEYS.large, on);
});

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.input.value.trim();
  if (!text) return;
  if (send(text, text)) ui.input.value = "";
});
