// Live progress for the jobs page: poll each unfinished job's status URL and update its row.
(function () {
  "use strict";
  const INTERVAL_MS = 1000;

  function formatTime(iso) {
    if (!iso) return null;
    const d = new Date(iso);
    return d.toLocaleDateString(undefined, { day: "numeric", month: "short" }) + ", " +
      d.toLocaleTimeString(undefined, { hour12: false });
  }

  function update(row, status) {
    const bar = row.querySelector("progress");
    bar.max = status.progress.total;
    bar.value = status.progress.done;
    row.querySelector(".job-count").textContent = status.progress.done + " / " + status.progress.total;
    const state = row.querySelector(".job-state");
    state.textContent = status.state.charAt(0) + status.state.slice(1).toLowerCase();
    state.className = "job-state state-" + status.state.toLowerCase();
    if (status.started) row.querySelector(".job-started").textContent = formatTime(status.started);
    if (status.finished) row.querySelector(".job-finished").textContent = formatTime(status.finished);
    row.dataset.ready = String(status.ready);
    // A failure needs the error and the Retry button, which the server renders.
    if (status.state === "FAILURE") window.location.reload();
  }

  async function poll() {
    const rows = document.querySelectorAll("tr.job[data-ready='false']");
    await Promise.all(Array.from(rows, async (row) => {
      try {
        const response = await fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" } });
        if (response.ok) update(row, await response.json());
      } catch (error) {
        // The network hiccupped: try again on the next tick.
      }
    }));
    if (document.querySelector("tr.job[data-ready='false']")) setTimeout(poll, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", poll);
})();
