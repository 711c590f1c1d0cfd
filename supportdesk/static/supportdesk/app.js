// supportdesk page behaviour: live SLA countdowns, keyboard shortcuts, the shortcut help, the composer.
// No build step, no dependencies beyond the vendored htmx.
(function () {
  "use strict";

  // ---- SLA countdowns -------------------------------------------------------------------------
  // <time class="countdown ok|warn|bad" data-due="ISO" [data-warn="ISO"]>: the server renders the class
  // (sla_tags.countdown_class) and this recomputes it each second with the same rule: ok until the clock's
  // own warning instant (data-warn, from its metric rule), warn from it up to the due instant, bad once past
  // due. Paused, met and stopped (no verdict) countdowns carry no data-due and keep their look. The text says how long is left.
  function fmt(ms) {
    var neg = ms < 0; ms = Math.abs(ms);
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    var text = d ? d + "d " + (h % 24) + "h" : h ? h + "h " + (m % 60) + "m" : m >= 10 ? m + "m" : m + "m " + (s % 60) + "s";
    return neg ? text + " overdue" : text + " left";
  }

  function state(el, now, due) {
    if (now > due) return "bad";
    var warn = el.dataset.warn ? new Date(el.dataset.warn).getTime() : NaN;
    return !isNaN(warn) && now >= warn ? "warn" : "ok";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = new Date(el.dataset.due).getTime();
      if (isNaN(due)) return;
      if (!el.dataset.absolute) { el.dataset.absolute = el.textContent.trim(); el.title = "Due " + el.dataset.absolute; }
      var left = due - now, st = state(el, now, due);
      var label = el.querySelector(".countdown-text") || el;
      label.textContent = fmt(left);
      ["ok", "warn", "bad"].forEach(function (c) { el.classList.toggle(c, c === st); });
      el.setAttribute("data-state", st);
    });
  }

  // ---- keyboard -------------------------------------------------------------------------------
  var pendingG = false;
  var selectedTicket = null;  // kept across the live queue refresh

  function reselect() {
    if (!selectedTicket) return;
    var row = document.querySelector('table.queue tbody tr[data-ticket="' + selectedTicket + '"]');
    if (row) row.classList.add("selected");
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable=true], dialog");
  }

  function queueRows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr")); }

  function select(delta) {
    var rows = queueRows();
    if (!rows.length) return;
    var current = rows.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = Math.min(rows.length - 1, Math.max(0, current + delta));
    rows.forEach(function (r) { r.classList.remove("selected"); });
    rows[next].classList.add("selected");
    selectedTicket = rows[next].dataset.ticket || null;
    var link = rows[next].querySelector("a.subject");
    if (link) link.focus();
  }

  function compose(kind) {
    var form = document.getElementById("reply");
    if (!form) return false;
    var radio = form.querySelector('input[name$="kind"][value="' + kind + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var area = form.querySelector("textarea");
    if (area) { area.focus(); area.scrollIntoView({ block: "center" }); }
    return true;
  }

  function showHelp() {
    var d = document.getElementById("shortcuts");
    if (d && !d.open) { d.showModal(); }
  }

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.form) {
      e.preventDefault(); e.target.form.requestSubmit(); return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var staff = document.body.classList.contains("is-staff");
    if (pendingG) {
      pendingG = false;
      if (e.key === "q" && staff) { window.location = "/console/"; }
      return;
    }
    switch (e.key) {
      case "?": e.preventDefault(); showHelp(); break;
      case "/": {
        var q = document.querySelector("main input[type=search], main input[name=q]");
        e.preventDefault();
        if (q) { q.focus(); q.select(); } else { window.location = staff ? "/console/search/" : "/help/"; }
        break;
      }
      case "n": if (staff) { window.location = "/console/next/"; } break;
      case "j": if (staff) { e.preventDefault(); select(1); } break;
      case "k": if (staff) { e.preventDefault(); select(-1); } break;
      case "g": if (staff) { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); } break;
      case "r": if (compose("public")) e.preventDefault(); break;
      case "i": if (staff && compose("internal")) e.preventDefault(); break;
      case "c": if (!staff && document.body.classList.contains("is-client")) { window.location = "/portal/tickets/new/"; } break;
      default: break;
    }
  });

  // ---- composer: internal notes look different so nobody sends one to the client by mistake ------
  function syncComposer() {
    document.querySelectorAll("form.composer").forEach(function (form) {
      var checked = form.querySelector('input[name$="kind"]:checked');
      var kind = checked ? checked.value : "public";
      form.classList.toggle("is-internal", kind === "internal");
      var send = form.querySelector("[data-send-label]");
      if (send) {
        send.firstChild.textContent = kind === "internal" ? "Add internal note " : kind === "call" ? "Log call " : "Send reply ";
      }
    });
  }
  document.addEventListener("change", function (e) { if (e.target.closest("form.composer")) syncComposer(); });

  // ---- wiring ----------------------------------------------------------------------------------
  // Polled parts (the queue every 30 s, a running job every 2 s) carry what they would say in data-announce; it is
  // written into a stable status line (data-announce-to, or #announcer) only when the words change. A live region
  // that is swapped, or whose text is replaced by the same words, is read again and again by screen readers.
  var announced = {};
  function announce() {
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      var line = document.getElementById(el.dataset.announceTo || "announcer"), words = el.dataset.announce;
      if (!line) { return; }
      if (!(line.id in announced)) { announced[line.id] = words; return; }  // the page as loaded says it already
      if (announced[line.id] !== words) { announced[line.id] = words; line.textContent = words; }
    });
  }

  function ready() {
    tick(); syncComposer(); announce();
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (b) { b.addEventListener("click", showHelp); });
    document.querySelectorAll("[data-compose]").forEach(function (b) {
      b.addEventListener("click", function (e) { if (compose(b.dataset.compose)) e.preventDefault(); });
    });
  }
  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:afterSwap", function (e) {
    tick(); reselect(); syncComposer(); announce();
    // A saved reply filled the composer: the agent goes on editing it.
    var area = e.detail && e.detail.target && e.detail.target.id === "composer-fields" && e.detail.target.querySelector("textarea");
    if (area) { area.focus(); }
  });
  setInterval(tick, 1000);
})();
