// The yt-builder page: one module, no build step. It speaks only the HTTP API.

const $ = (selector) => document.querySelector(selector);
const FILE_TYPES = ["videos", "music", "sounds", "quotes"];

// Every config field: its label, kind, unit and range, checked here and by the server.
const FIELDS = [
  { key: "duration", label: "Duration", kind: "number", unit: "seconds", min: 1, max: 86400, step: "any" },
  { key: "resolution", label: "Resolution", kind: "text", unit: "WIDTHxHEIGHT, even numbers", pattern: "^[0-9]+x[0-9]+$" },
  { key: "fps", label: "Frames per second", kind: "number", min: 1, max: 120, step: 1 },
  { key: "transition", label: "Transition", kind: "select", options: ["none", "fade", "crossfade"] },
  { key: "music_volume", label: "Music volume", kind: "number", min: 0, max: 2, step: "any" },
  { key: "sounds_volume", label: "Sound effects volume", kind: "number", min: 0, max: 2, step: "any" },
  { key: "music_shuffle", label: "Shuffle the music", kind: "checkbox" },
  { key: "quotes_duration", label: "Each quote shows for", kind: "number", unit: "seconds", min: 0.1, max: 3600, step: "any" },
  { key: "quotes_min_between", label: "Shortest gap between quotes", kind: "number", unit: "seconds", min: 0, max: 86400, step: "any" },
  { key: "quotes_max_between", label: "Longest gap between quotes", kind: "number", unit: "seconds", min: 0, max: 86400, step: "any" },
  { key: "quote_style", label: "Quote position", kind: "select", options: ["centered", "top", "bottom", "minimal"] },
  { key: "quote_font", label: "Quote font", kind: "text", unit: "a font in fonts/ or a fontconfig family" },
  { key: "quotes_shuffle", label: "Shuffle the quotes", kind: "checkbox" },
];

const state = { job: null, logNext: 0, poll: null, cursor: null, token: sessionStorage.getItem("yt-builder-token") };

// --- API --------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    const body = await response.clone().json().catch(() => ({}));
    if (!body.requires_reauth) {
      await askForToken();
      return api(path, options);
    }
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { body, status: response.status });
  return body;
}

function askForToken() {
  return new Promise((resolve) => {
    const dialog = $("#token-dialog");
    $("#token-form").onsubmit = () => {
      state.token = $("#token-input").value.trim();
      sessionStorage.setItem("yt-builder-token", state.token);
      resolve();
    };
    if (!dialog.open) dialog.showModal();
  });
}

// --- New video ----------------------------------------------------------------

async function prepare() {
  const job = await api("/api/jobs/prepare", { method: "POST" });
  state.job = job.job_id;
  $("#job-line").textContent = `Job ${job.job_id} (${job.run_id}) is ready for files.`;
  $("#uploads").hidden = false;
  $("#job").hidden = true;
  for (const type of FILE_TYPES) await listFiles(type);
}

function uploadFile(type, file) {
  const list = document.querySelector(`.drop[data-type="${type}"] .files`);
  const item = document.createElement("li");
  const name = document.createElement("span");
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  bar.setAttribute("aria-label", `Uploading ${file.name}`);
  item.append(name, bar);
  list.append(item);
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/jobs/${state.job}/upload/${type}`);
    if (state.token) request.setRequestHeader("Authorization", `Bearer ${state.token}`);
    request.upload.onprogress = (event) => { if (event.lengthComputable) bar.value = (100 * event.loaded) / event.total; };
    request.onloadend = async () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      const problems = request.status >= 400 ? [body.error || `HTTP ${request.status}`] : body.errors || [];
      if (problems.length) {
        const error = document.createElement("span");
        error.className = "error";
        error.setAttribute("role", "alert");
        error.textContent = problems.join("; ");
        item.append(error);
        bar.remove();
      } else {
        item.remove();
        await listFiles(type);
      }
      resolve();
    };
    const form = new FormData();
    form.append("files", file, file.name);
    request.send(form);
  });
}

async function listFiles(type) {
  const { files } = await api(`/api/jobs/${state.job}/files/${type}`);
  const list = document.querySelector(`.drop[data-type="${type}"] .files`);
  for (const old of list.querySelectorAll("li.stored")) old.remove();
  for (const name of files) {
    const item = document.createElement("li");
    item.className = "stored";
    const label = document.createElement("span");
    label.textContent = name;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${name}`);
    remove.onclick = async () => {
      await api(`/api/jobs/${state.job}/files/${type}/${encodeURIComponent(name)}`, { method: "DELETE" });
      await listFiles(type);
    };
    item.append(label, remove);
    list.append(item);
  }
}

// A playlist import is background work: queue it, then follow it song by song.
async function importPlaylist(event) {
  event.preventDefault();
  const status = $("#suno-status");
  const bar = $("#suno-progress");
  const button = $("#suno-import");
  button.disabled = true;
  try {
    let task = await api(`/api/jobs/${state.job}/playlist/suno`, {
      method: "POST",
      headers: { Prefer: "respond-async" },
      json: { url: $("#suno-url").value.trim() },
    });
    status.textContent = "Reading the playlist…";
    bar.hidden = false;
    bar.value = 0;
    while (task.state === "queued" || task.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { imports } = await api(`/api/jobs/${state.job}/playlist/suno`);
      task = imports.find((one) => one.import_id === task.import_id) || task;
      const done = task.downloaded.length + task.errors.length;
      if (task.songs_total > 0) {
        bar.value = (100 * Math.min(done, task.songs_total)) / task.songs_total;
        status.textContent = `${task.downloaded.length} of ${task.songs_total} songs downloaded`;
      }
      await listFiles("music");
    }
    bar.hidden = true;
    const problems = task.errors.length ? ` Problems: ${task.errors.join("; ")}` : "";
    status.textContent = task.state === "completed"
      ? `${task.downloaded.length} songs added.${problems}`
      : `The import failed: ${task.error || task.state}.${problems}`;
  } catch (error) {
    bar.hidden = true;
    status.textContent = error.message;
  } finally {
    button.disabled = false;
  }
}

function wireDrops() {
  for (const zone of document.querySelectorAll(".drop")) {
    const type = zone.dataset.type;
    const input = zone.querySelector("input");
    input.onchange = async () => {
      for (const file of input.files) await uploadFile(type, file);
      input.value = "";
    };
    zone.ondragover = (event) => { event.preventDefault(); zone.classList.add("over"); };
    zone.ondragleave = () => zone.classList.remove("over");
    zone.ondrop = async (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      for (const file of event.dataTransfer.files) await uploadFile(type, file);
    };
  }
}

async function buildSettings() {
  const defaults = await api("/api/config/defaults");
  const form = $("#settings");
  form.replaceChildren();
  for (const field of FIELDS) {
    const wrapper = document.createElement("div");
    const id = `setting-${field.key}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.label;
    const hint = [field.unit, field.min !== undefined ? `${field.min}–${field.max}` : null].filter(Boolean).join(", ");
    if (hint) label.insertAdjacentHTML("beforeend", ` <span class="hint"></span>`), (label.lastChild.textContent = hint);
    let input;
    if (field.kind === "select") {
      input = document.createElement("select");
      for (const option of field.options) input.append(new Option(option, option));
    } else {
      input = document.createElement("input");
      input.type = field.kind;
      for (const attribute of ["min", "max", "step", "pattern"]) if (field[attribute] !== undefined) input.setAttribute(attribute, field[attribute]);
    }
    input.id = id;
    input.name = field.key;
    if (field.kind === "checkbox") input.checked = Boolean(defaults[field.key]);
    else input.value = defaults[field.key] ?? "";
    const error = document.createElement("p");
    error.className = "error";
    error.id = `${id}-error`;
    error.setAttribute("role", "alert");
    input.setAttribute("aria-describedby", error.id);
    wrapper.append(label, input, error);
    if (field.key === "quote_font") wrapper.append(fontPreview(input));
    form.append(wrapper);
  }
}

// A line of text in the chosen font: a file of the server's fonts/ folder
// (GET /fonts/{name}) when there is one, else the family as the browser knows it.
function fontPreview(input) {
  const preview = document.createElement("p");
  preview.className = "font-preview";
  preview.id = "font-preview";
  preview.textContent = "The quick brown fox jumps over the lazy dog.";
  let loaded = 0;
  const update = async () => {
    const name = input.value.trim();
    const ticket = ++loaded;
    let family = name ? `"${name.replace(/["\\]/g, "")}", sans-serif` : "sans-serif";
    for (const extension of ["ttf", "otf", "woff2", "woff"]) {
      if (!name) break;
      try {
        const face = new FontFace(`preview-${ticket}`, `url("/fonts/${encodeURIComponent(name)}.${extension}")`);
        await face.load();
        document.fonts.add(face);
        family = `"preview-${ticket}", sans-serif`;
        break;
      } catch {
        // not a file of fonts/ with this extension
      }
    }
    if (ticket === loaded) preview.style.fontFamily = family;
  };
  input.addEventListener("input", update);
  update();
  return preview;
}

function readSettings() {
  const config = {};
  let valid = true;
  for (const field of FIELDS) {
    const input = document.getElementById(`setting-${field.key}`);
    const error = document.getElementById(`setting-${field.key}-error`);
    error.textContent = "";
    if (field.kind === "checkbox") config[field.key] = input.checked;
    else if (field.kind === "number") config[field.key] = Number(input.value);
    else config[field.key] = input.value;
    if (field.kind !== "checkbox" && !input.checkValidity()) {
      error.textContent = input.validationMessage;
      valid = false;
    }
  }
  return valid ? config : null;
}

async function start() {
  $("#start-error").textContent = "";
  const config = readSettings();
  if (!config) return;
  try {
    await api(`/api/jobs/${state.job}/start`, { method: "POST", json: config });
  } catch (error) {
    const field = error.body?.field && document.getElementById(`setting-${error.body.field}-error`);
    if (field) field.textContent = error.message;
    else $("#start-error").textContent = error.message;
    return;
  }
  openJob(state.job);
}

// --- A job: progress, log, result, publishing ----------------------------------

async function openJob(id) {
  state.job = id;
  state.logNext = 0;
  $("#uploads").hidden = true;
  $("#job-log").textContent = "";
  $("#result").hidden = true;
  $("#job").hidden = false;
  $("#job-title").textContent = `Job ${id}`;
  clearInterval(state.poll);
  state.poll = setInterval(refreshJob, 1000);
  const files = $("#job-files");
  files.replaceChildren();
  for (const type of FILE_TYPES) {
    for (const name of (await api(`/api/jobs/${id}/files/${type}`)).files) {
      const item = document.createElement("li");
      item.textContent = `${type}: ${name}`;
      files.append(item);
    }
  }
  await refreshJob();
  $("#job").scrollIntoView({ behavior: "smooth" });
}

// "about 3 min left" from eta_seconds; nothing while there is no estimate.
function remaining(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return ` · about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return ` · about ${Math.round(seconds / 60)} min left`;
  const hours = Math.floor(seconds / 3600);
  return ` · about ${hours} h ${Math.round((seconds % 3600) / 60)} min left`;
}

async function refreshJob() {
  const id = state.job;
  const job = await api(`/api/jobs/${id}`);
  $("#job-status").textContent = job.status;
  $("#job-step").textContent = job.current_step || "";
  $("#job-progress").value = job.progress;
  $("#job-percent").textContent = `${job.progress} %` + (job.status === "running" ? remaining(job.eta_seconds) : "");
  $("#job-error").textContent = job.error || "";
  $("#cancel").hidden = ["completed", "failed", "cancelled"].includes(job.status);
  const log = await api(`/api/jobs/${id}/logs?after=${state.logNext}`);
  if (log.logs.length) $("#job-log").textContent += log.logs.join("\n") + "\n";
  state.logNext = log.next;
  if (["completed", "failed", "cancelled"].includes(job.status)) {
    clearInterval(state.poll);
    if (job.status === "completed") await showResult(id);
  }
}

async function showResult(id) {
  $("#result").hidden = false;
  const url = `/api/jobs/${id}/download`;
  if (state.token) {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${state.token}` } });
    const blob = URL.createObjectURL(await response.blob());
    $("#player").src = blob;
    $("#download").href = blob;
  } else {
    $("#player").src = url;
    $("#download").href = url;
  }
  await refreshYouTube(id);
}

async function refreshYouTube(id) {
  const status = await api("/api/youtube/auth/status");
  const stateLine = !status.configured
    ? "YouTube is not configured on this server (see the README)."
    : status.authenticated ? "YouTube account connected." : "Connect a YouTube account to publish.";
  $("#youtube-state").textContent = stateLine;
  $("#youtube-connect").hidden = !status.configured || status.authenticated;
  $("#publish").hidden = !status.authenticated;
  const { uploads, published } = await api(`/api/jobs/${id}/youtube/uploads`);
  const list = $("#publications");
  list.replaceChildren();
  for (const upload of uploads) {
    const item = document.createElement("li");
    if (upload.state === "completed") {
      const link = document.createElement("a");
      link.href = upload.video_url;
      link.textContent = `${upload.title} on YouTube`;
      item.append(link);
    } else {
      const percent = upload.total_bytes ? Math.round((100 * upload.bytes_sent) / upload.total_bytes) : 0;
      item.textContent = `${upload.title}: ${upload.state}${upload.state === "uploading" ? ` (${percent} %)` : ""}${upload.error ? ` — ${upload.error}` : ""}`;
    }
    list.append(item);
  }
  if (!uploads.length) for (const upload of published) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = upload.video_url;
    link.textContent = `${upload.title || upload.video_id} on YouTube`;
    item.append(link);
    list.append(item);
  }
  return uploads.some((upload) => upload.state === "pending" || upload.state === "uploading");
}

async function publish(event) {
  event.preventDefault();
  $("#publish-error").textContent = "";
  const tags = $("#publish-tags").value.split(",").map((tag) => tag.trim()).filter(Boolean);
  try {
    await api(`/api/jobs/${state.job}/youtube/upload`, {
      method: "POST",
      json: { title: $("#publish-title").value, description: $("#publish-description").value, privacy: $("#publish-privacy").value, tags },
    });
  } catch (error) {
    $("#publish-error").textContent = error.message;
    return;
  }
  const id = state.job;
  const timer = setInterval(async () => { if (!(await refreshYouTube(id))) clearInterval(timer); }, 1500);
  await refreshYouTube(id);
}

// --- History ------------------------------------------------------------------

async function loadHistory(more = false) {
  const status = $("#history-status").value;
  const query = new URLSearchParams({ limit: "20" });
  if (status) query.set("status", status);
  if (more && state.cursor) query.set("after", state.cursor);
  const page = await api(`/api/jobs?${query}`);
  const rows = $("#history-rows");
  if (!more) rows.replaceChildren();
  for (const job of page.jobs) {
    const row = document.createElement("tr");
    row.tabIndex = 0;
    for (const text of [`Job ${job.job_id}`, job.status, `${job.progress} %`, new Date(job.created_at).toLocaleString()]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const open = () => { show("create"); $("#uploads").hidden = true; openJob(job.job_id); };
    row.onclick = open;
    row.onkeydown = (event) => { if (event.key === "Enter") open(); };
    rows.append(row);
  }
  state.cursor = page.next_cursor;
  $("#history-more").hidden = !page.next_cursor;
}

function show(view) {
  for (const button of document.querySelectorAll("nav button")) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  $("#create").hidden = view !== "create";
  $("#history").hidden = view !== "history";
  if (view !== "create") $("#job").hidden = true;
  if (view === "history") loadHistory();
}

// --- Wiring -------------------------------------------------------------------

function guard(action) {
  return async (...args) => {
    try { await action(...args); } catch (error) { $("#job-line").textContent = `Error: ${error.message}`; }
  };
}

window.addEventListener("DOMContentLoaded", async () => {
  for (const button of document.querySelectorAll("nav button")) button.onclick = () => show(button.dataset.view);
  $("#prepare").onclick = guard(prepare);
  $("#start").onclick = guard(start);
  $("#cancel").onclick = guard(async () => { await api(`/api/jobs/${state.job}/cancel`, { method: "POST" }); await refreshJob(); });
  $("#youtube-connect").onclick = guard(async () => { const { auth_url } = await api("/api/youtube/auth/url"); window.open(auth_url, "_blank", "noopener"); });
  $("#publish").onsubmit = guard(publish);
  $("#suno-form").onsubmit = importPlaylist;
  $("#history-status").onchange = guard(() => loadHistory());
  $("#history-more").onclick = guard(() => loadHistory(true));
  wireDrops();
  await guard(buildSettings)();
});
