// Live SLA countdowns: colour changes before the due time (warn in the last 25% of an hour, bad when past).
(function () {
  function fmt(ms) {
    const neg = ms < 0; ms = Math.abs(ms);
    const m = Math.floor(ms / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    const s = d ? `${d}d ${h % 24}h` : h ? `${h}h ${m % 60}m` : `${m}m`;
    return neg ? `${s} overdue` : `${s} left`;
  }
  function tick() {
    document.querySelectorAll("time.countdown[data-due]").forEach(function (el) {
      const left = new Date(el.dataset.due).getTime() - Date.now();
      el.textContent = fmt(left);
      el.classList.toggle("bad", left < 0);
      el.classList.toggle("warn", left >= 0 && left < 15 * 60000);
      el.classList.toggle("ok", left >= 15 * 60000);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 15000);
  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, textarea, select")) return;
    if (e.key === "n") { window.location = "/console/next/"; }
    if (e.key === "r") { const t = document.querySelector("#reply textarea"); if (t) { e.preventDefault(); t.focus(); } }
  });
})();
