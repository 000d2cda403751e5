// The yt-builder page: plain modules, no build step; they speak only the HTTP API.
// This one switches screens and wires the buttons.

import { $, state, api, guard } from "./core.js";
import { buildPresets, buildSettings } from "./settings.js";
import { wireDropZone, start, importPlaylist } from "./create.js";
import { refreshJob, renderLog, publish, duplicate, retry } from "./job.js";
import { loadHistory } from "./history.js";
import { loadAdmin } from "./admin.js";

export function show(view) {
  for (const button of document.querySelectorAll("nav button")) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  for (const section of ["create", "job", "history", "admin"]) $(`#${section}`).hidden = section !== view;
  if (view !== "job") {
    clearInterval(state.poll);
    state.watching = null;
  }
  clearInterval(state.adminPoll);
  if (view === "admin") {
    loadAdmin();
    state.adminPoll = setInterval(loadAdmin, 2000);
  }
  const path = view === "admin" ? "/admin" : "/";
  if (location.pathname !== path) history.replaceState(null, "", path);
  if (view === "history") guard(loadHistory)();
  document.getElementById(`${view === "create" ? "create" : view}-title`)?.focus?.();
}

window.addEventListener("DOMContentLoaded", async () => {
  for (const navButton of document.querySelectorAll("nav button")) navButton.onclick = () => show(navButton.dataset.view);
  $("#start").onclick = guard(start);
  $("#cancel").onclick = guard(async () => { await api(`/api/jobs/${state.watching}/cancel`, { method: "POST" }); await refreshJob(); });
  $("#retry").onclick = guard(() => retry(state.watching));
  $("#again").onclick = guard(() => duplicate(state.watching));
  $("#log-raw").onchange = renderLog;
  $("#youtube-connect").onclick = guard(async () => { const { auth_url } = await api("/api/youtube/auth/url"); window.open(auth_url, "_blank", "noopener"); });
  $("#publish").onsubmit = guard(publish);
  $("#suno-form").onsubmit = guard(importPlaylist);
  $("#history-status").onchange = guard(() => loadHistory());
  $("#history-more").onclick = guard(() => loadHistory(true));
  wireDropZone();
  buildPresets();
  await guard(buildSettings)();
  if (location.pathname === "/admin") show("admin");
});
