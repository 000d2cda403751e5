// A job you can watch: step, progress, elapsed and remaining time, the log
// (without server paths unless asked), cancel, the result, publishing,
// "make another like this" and retry.

import { $, state, api, mediaURL, clock, bytes, element, guard, icon, cleanLine } from "./core.js";
import { setSettings } from "./settings.js";
import { useJob, refreshCards, resetCreate } from "./create.js";
import { show } from "./app.js";

export async function openJob(id, warnings = []) {
  state.watching = id;
  state.log = [];
  state.logNext = 0;
  $("#job-log").textContent = "";
  $("#result").hidden = true;
  $("#job-title").textContent = `Job ${id}`;
  $("#job-error").textContent = warnings.length ? `Note: ${warnings.join("; ")}` : "";
  show("job");
  clearInterval(state.poll);
  state.poll = setInterval(guard(refreshJob), 1000);
  const { files } = await api(`/api/jobs/${id}/media`);
  $("#job-files").replaceChildren(...files.map((file) => element("li", { class: "card" },
    element("div", { class: "thumb", "aria-hidden": "true" }, icon(file.type)),
    element("div", {}, element("div", { class: "name", textContent: file.name }),
      element("div", { class: "meta", textContent: [file.type, file.duration_seconds ? clock(file.duration_seconds) : null, bytes(file.size)].filter(Boolean).join(" · ") })))));
  await refreshJob();
}

const FINISHED = ["completed", "failed", "cancelled"];

export async function refreshJob() {
  const id = state.watching;
  if (!id) return;
  const job = await api(`/api/jobs/${id}`);
  if (id !== state.watching) return;
  const status = $("#job-status");
  status.textContent = job.status;
  status.className = `badge ${job.status}`;
  $("#job-step").textContent = job.current_step || "";
  $("#job-progress").value = job.progress;
  $("#job-percent").textContent = `${job.progress} %`;
  $("#job-elapsed").textContent = clock(job.elapsed_seconds);
  $("#job-remaining").textContent = job.status === "running" ? clock(job.eta_seconds) : job.status === "completed" ? "0:00" : "–";
  if (job.error) $("#job-error").textContent = cleanLine(job.error);
  const finished = FINISHED.includes(job.status);
  $("#cancel").hidden = finished;
  $("#retry").hidden = !["failed", "cancelled"].includes(job.status);
  const log = await api(`/api/jobs/${id}/logs?after=${state.logNext}`);
  if (log.logs.length) {
    state.log.push(...log.logs);
    renderLog();
  }
  state.logNext = log.next;
  if (finished) {
    clearInterval(state.poll);
    if (job.status === "completed" && $("#result").hidden) await showResult(id);
  }
}

export function renderLog() {
  const raw = $("#log-raw").checked;
  const pre = $("#job-log");
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
  pre.textContent = state.log.map(raw ? (line) => line : cleanLine).join("\n");
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

async function showResult(id) {
  $("#result").hidden = false;
  const url = await mediaURL(`/api/jobs/${id}/download`);
  $("#player").src = url;
  $("#download").href = url;
  $("#download").download = `job-${id}.mp4`;
  await refreshYouTube(id);
}

async function refreshYouTube(id) {
  const status = await api("/api/youtube/auth/status");
  $("#youtube-state").textContent = !status.configured
    ? "YouTube is not configured on this server (see the README)."
    : status.authenticated ? "YouTube account connected." : "Connect a YouTube account to publish.";
  $("#youtube-connect").hidden = !status.configured || status.authenticated;
  $("#publish").hidden = !status.authenticated;
  const { uploads: sent, published } = await api(`/api/jobs/${id}/youtube/uploads`);
  const list = $("#publications");
  list.replaceChildren();
  for (const one of sent) {
    if (one.state === "completed") {
      list.append(element("li", {}, element("a", { href: one.video_url, textContent: `${one.title} on YouTube` })));
    } else {
      const percent = one.total_bytes ? Math.round((100 * one.bytes_sent) / one.total_bytes) : 0;
      list.append(element("li", { textContent: `${one.title}: ${one.state}${one.state === "uploading" ? ` (${percent} %)` : ""}${one.error ? ` — ${one.error}` : ""}` }));
    }
  }
  if (!sent.length) for (const one of published) {
    list.append(element("li", {}, element("a", { href: one.video_url, textContent: `${one.title || one.video_id} on YouTube` })));
  }
  return sent.some((one) => one.state === "pending" || one.state === "uploading");
}

export async function publish(event) {
  event.preventDefault();
  $("#publish-error").textContent = "";
  const tags = $("#publish-tags").value.split(",").map((tag) => tag.trim()).filter(Boolean);
  const id = state.watching;
  try {
    await api(`/api/jobs/${id}/youtube/upload`, {
      method: "POST",
      json: { title: $("#publish-title").value, description: $("#publish-description").value, privacy: $("#publish-privacy").value, tags },
    });
  } catch (error) {
    $("#publish-error").textContent = error.message;
    return;
  }
  const timer = setInterval(async () => { if (!(await refreshYouTube(id))) clearInterval(timer); }, 1500);
  await refreshYouTube(id);
}

// "Make another like this": a copy with the same settings and files, opened
// on the New video screen to change and start.
export async function duplicate(id) {
  const copy = await api(`/api/jobs/${id}/duplicate`, { method: "POST" });
  const job = await api(`/api/jobs/${copy.job_id}`);
  show("create");
  resetCreate();
  useJob(copy.job_id, "preparing");
  state.clipOrder = job.config?.clip_order || [];
  setSettings({ ...state.defaults, ...(job.config || {}) });
  document.getElementById("preset-custom").checked = true;
  await refreshCards();
}

export async function retry(id) {
  const copy = await api(`/api/jobs/${id}/retry`, { method: "POST" });
  await openJob(copy.job_id);
}
