/* Agent chat console (/chat/): waiting chats live over /ws/chat/agents/, pick up, answer. No build. */
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root) { return; }
  var waitingList = document.getElementById("chat-waiting");
  var panes = document.getElementById("chat-panes");
  var status = document.getElementById("chat-status");
  var socket = null, retry = 0, seq = 0;
  var pending = {};

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  function send(obj) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(obj)); } }
  function newId() { seq += 1; return "a-" + Date.now().toString(36) + "-" + seq; }

  function renderWaiting(list) {
    waitingList.textContent = "";
    // The live list replaces the server's paged one, so its pager no longer applies.
    var pager = document.getElementById("chat-waiting-pager");
    if (pager) { pager.hidden = true; }
    if (!list.length) { waitingList.appendChild(el("li", { "class": "empty" }, "Nobody is waiting. New chats appear here at once.")); return; }
    list.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("strong", {}, c.client + " · " + c.requester));
      li.appendChild(el("p", {}, c.subject || c.last || "(no message yet)"));
      var b = el("button", { type: "button" }, "Pick up");
      b.addEventListener("click", function () { send({ type: "pickup", conversation: c.conversation }); });
      li.appendChild(b);
      waitingList.appendChild(li);
    });
  }
  function pane(id, ticketId) {
    var existing = document.getElementById("chat-pane-" + id);
    if (existing) { return existing; }
    var sec = el("section", { id: "chat-pane-" + id, "class": "chat-pane card" });
    var h = el("h2", {}, "Chat " + id + " ");
    if (ticketId) { var a = el("a", { href: "/console/tickets/" + ticketId + "/" }, "ticket #" + ticketId); h.appendChild(a); }
    var log = el("div", { "class": "chat-log", "aria-live": "polite" });
    var form = el("form", { "class": "chat-form" });
    var input = el("textarea", { rows: "2", maxlength: "2000", "aria-label": "Reply" });
    var btn = el("button", { type: "submit" }, "Send");
    var end = el("button", { type: "button", "class": "link" }, "Close chat");
    form.appendChild(input); form.appendChild(btn); form.appendChild(end);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = input.value.trim(); if (!body) { return; }
      var mid = newId(); pending[mid] = { conversation: id, id: mid, body: body };
      show(id, { id: mid, body: body, from_staff: true }, true);
      send({ type: "message", conversation: id, id: mid, body: body }); input.value = "";
    });
    end.addEventListener("click", function () { send({ type: "close", conversation: id }); });
    sec.appendChild(h); sec.appendChild(log); sec.appendChild(form);
    panes.appendChild(sec);
    return sec;
  }
  function show(conversation, m, isPending) {
    var log = pane(conversation).querySelector(".chat-log");
    var existing = log.querySelector('[data-id="' + m.id + '"][data-staff="' + m.from_staff + '"]');
    if (existing) { existing.classList.toggle("pending", !!isPending); return; }
    var p = el("p", { "class": "chat-msg" + (m.from_staff ? " staff" : "") + (isPending ? " pending" : ""), "data-id": m.id, "data-staff": String(m.from_staff) }, m.body);
    log.appendChild(p); log.scrollTop = log.scrollHeight;
  }
  function connect() {
    socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws/chat/agents/");
    socket.onopen = function () { retry = 0; status.textContent = "Connected."; };
    socket.onmessage = function (event) {
      var f = JSON.parse(event.data);
      if (f.type === "waiting") { renderWaiting(f.conversations); }
      else if (f.type === "mine") { f.conversations.forEach(function (c) { pane(c.conversation, c.ticket_id); send({ type: "join", conversation: c.conversation }); }); }
      else if (f.type === "picked" || f.type === "history") {
        pane(f.conversation, f.ticket_id);
        f.messages.forEach(function (m) { show(f.conversation, m, false); });
        Object.keys(pending).forEach(function (k) { var p = pending[k]; if (p.conversation === f.conversation) { send({ type: "message", conversation: p.conversation, id: p.id, body: p.body }); } });
      } else if (f.type === "message") { show(f.conversation, f, false); }
      else if (f.type === "ack") { delete pending[f.id]; var n = document.querySelector('[data-id="' + f.id + '"]'); if (n) { n.classList.remove("pending"); } }
      else if (f.type === "status" && f.status === "closed") { var s = document.getElementById("chat-pane-" + f.conversation); if (s) { s.querySelector("form").hidden = true; s.appendChild(el("p", { "class": "empty" }, "Chat closed.")); } }
      else if (f.type === "error") { status.textContent = f.message; }
    };
    socket.onclose = function () { status.textContent = "Disconnected; reconnecting…"; retry = Math.min(retry + 1, 6); setTimeout(connect, 500 * Math.pow(2, retry)); };
  }
  connect();
}());
