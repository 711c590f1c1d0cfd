/* supportdesk live chat widget. One tag on any page of a site that shares the support site's cookies:
 *   <script src="https://support.example.com/static/livechat/widget.js" async></script>
 * Optional: data-supportdesk="https://support.example.com" (defaults to the script's own origin),
 *           data-ticket="123" (chat about that ticket), data-open="1" (start opened).
 * Speaks JSON frames over a WebSocket to /ws/chat/; unacknowledged messages are kept in
 * localStorage with their ids and resent after a reconnect (the server stores each id once).
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = (me && me.getAttribute("data-supportdesk")) || (me ? new URL(me.src).origin : location.origin);
  var ticket = me && me.getAttribute("data-ticket");
  var KEY = "supportdesk-chat:" + base;
  var state = load();
  var socket = null, retry = 0, entitled = true;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || { pending: [] }; } catch (e) { return { pending: [] }; }
  }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function newId(prefix) {
    var r = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
    return prefix + "-" + r.replace(/[^A-Za-z0-9_.:-]/g, "").slice(0, 56);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var css = ".sdc-btn{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;border:0;border-radius:2rem;padding:.7rem 1.1rem;background:#1f4e79;color:#fff;font:600 1rem system-ui,sans-serif;cursor:pointer}" +
    ".sdc-panel{position:fixed;right:1rem;bottom:4.2rem;z-index:2147483000;width:min(22rem,calc(100vw - 2rem));height:min(30rem,calc(100vh - 6rem));display:none;flex-direction:column;background:#fff;color:#111;border:1px solid #ccd;border-radius:.6rem;box-shadow:0 6px 24px rgba(0,0,0,.2);font:0.95rem system-ui,sans-serif}" +
    ".sdc-panel.open{display:flex}.sdc-head{padding:.6rem .8rem;background:#1f4e79;color:#fff;border-radius:.6rem .6rem 0 0;display:flex;justify-content:space-between}" +
    ".sdc-log{flex:1;overflow:auto;padding:.6rem;display:flex;flex-direction:column;gap:.4rem}.sdc-msg{max-width:85%;padding:.4rem .6rem;border-radius:.5rem;background:#eef2f7;white-space:pre-wrap;word-wrap:break-word}" +
    ".sdc-msg.mine{align-self:flex-end;background:#d8e8f8}.sdc-msg.pending{opacity:.6}.sdc-note{font-size:.85rem;color:#555;text-align:center}.sdc-err{color:#a00}" +
    ".sdc-form{display:flex;gap:.4rem;padding:.5rem;border-top:1px solid #dde}.sdc-form textarea{flex:1;resize:none;font:inherit;padding:.3rem}.sdc-form button{font:inherit}";
  var style = el("style", {}, css);
  var button = el("button", { type: "button", "class": "sdc-btn", "aria-expanded": "false", "aria-controls": "sdc-panel" }, "Chat with support");
  var panel = el("section", { id: "sdc-panel", "class": "sdc-panel", role: "dialog", "aria-label": "Chat with support" });
  var head = el("div", { "class": "sdc-head" });
  var title = el("strong", {}, "Support chat");
  var closeBtn = el("button", { type: "button", "aria-label": "Close chat" }, "×");
  var log = el("div", { "class": "sdc-log", "aria-live": "polite" });
  var form = el("form", { "class": "sdc-form" });
  var input = el("textarea", { rows: "2", maxlength: "2000", "aria-label": "Your message", placeholder: "Type your message" });
  var send = el("button", { type: "submit" }, "Send");
  head.appendChild(title); head.appendChild(closeBtn);
  form.appendChild(input); form.appendChild(send);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(form);

  function note(text, isError) { var n = el("p", { "class": "sdc-note" + (isError ? " sdc-err" : "") }, text); log.appendChild(n); log.scrollTop = log.scrollHeight; }
  function show(frame, mine, pending) {
    var existing = log.querySelector('[data-id="' + frame.id + '"]');
    if (existing) { existing.classList.toggle("pending", !!pending); return; }
    var m = el("div", { "class": "sdc-msg" + (mine ? " mine" : "") + (pending ? " pending" : ""), "data-id": frame.id }, frame.body);
    if (!mine && frame.author) { m.title = frame.author; }
    log.appendChild(m); log.scrollTop = log.scrollHeight;
  }
  function frame(obj) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); } }
  function flush() {
    if (!state.conversation) { return; }
    state.pending.forEach(function (p) { frame({ type: "message", conversation: state.conversation, id: p.id, body: p.body }); });
  }
  function connect() {
    if (!entitled) { return; }
    var url = base.replace(/^http/, "ws") + "/ws/chat/";
    socket = new WebSocket(url);
    socket.onopen = function () { retry = 0; };
    socket.onmessage = function (event) {
      var f = JSON.parse(event.data);
      if (f.type === "hello") {
        if (state.startKey) { frame({ type: "start", id: state.startKey, subject: document.title.slice(0, 200), ticket_id: ticket ? parseInt(ticket, 10) : undefined }); }
      } else if (f.type === "started") {
        state.conversation = f.conversation; save();
        frame({ type: "join", conversation: f.conversation });
      } else if (f.type === "history") {
        f.messages.forEach(function (m) { show(m, !m.from_staff, false); });
        state.pending.forEach(function (p) { show(p, true, true); });
        flush();
        if (f.status === "waiting") { note("Waiting for an agent…"); }
      } else if (f.type === "ack") {
        state.pending = state.pending.filter(function (p) { return p.id !== f.id; }); save();
        var shown = log.querySelector('[data-id="' + f.id + '"]'); if (shown) { shown.classList.remove("pending"); }
      } else if (f.type === "message") {
        show(f, !f.from_staff, false);
      } else if (f.type === "status") {
        if (f.status === "active") { note((f.agent || "An agent") + " joined the chat."); }
        if (f.status === "closed") { note("The chat was closed. Follow up on your ticket in the portal."); state = { pending: [] }; save(); }
      } else if (f.type === "error") {
        note(f.message, true);
        if (f.code === "chat.not_entitled") { entitled = false; form.hidden = true; }
      }
    };
    socket.onclose = function (event) {
      socket = null;
      if (event.code === 1006 && retry === 0 && !state.conversation) { note("Sign in to the support portal to chat (" + base + "/login/).", true); }
      if (!entitled) { return; }
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }
  function toggle(open) {
    panel.classList.toggle("open", open); button.setAttribute("aria-expanded", String(open));
    if (open && !socket) { connect(); }
    if (open) { input.focus(); }
  }
  button.addEventListener("click", function () { toggle(!panel.classList.contains("open")); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    if (body.length > 2000) { note("A chat message can be at most 2000 characters.", true); return; }
    var p = { id: newId("m"), body: body };
    state.pending.push(p); save(); show(p, true, true); input.value = "";
    if (!state.startKey) { state.startKey = newId("start"); save(); frame({ type: "start", id: state.startKey, subject: document.title.slice(0, 200), ticket_id: ticket ? parseInt(ticket, 10) : undefined }); }
    else { flush(); }
  });
  input.addEventListener("keydown", function (event) { if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); } });
  function mount() {
    document.head.appendChild(style); document.body.appendChild(button); document.body.appendChild(panel);
    if ((me && me.getAttribute("data-open") === "1") || state.conversation) { toggle(true); }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
}());
