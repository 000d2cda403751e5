// New video: the drop zone, a card per file (its own upload bar, picture,
// length, size), clips reordered by drag or arrows, and the start.

import { $, TYPES, state, api, mediaURL, clock, length, bytes, element, button, guard, icon, label } from "./core.js";
import { updateSummary, readSettings } from "./settings.js";
import { openJob } from "./job.js";

const EXTENSIONS = {
  videos: [".mp4", ".mov", ".avi", ".mkv"],
  audio: [".mp3", ".wav", ".m4a", ".aac", ".ogg"],
  quotes: [".txt"],
};
// Audio shorter than this is a sound effect; longer, music.
const SOUND_EFFECT_SECONDS = 30;

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot).toLowerCase();
}

// Where a file goes: by its extension; audio by its length (short sounds are
// effects). Anything else goes where the browser's type suggests, and the
// server says what it thinks of it on the card.
async function typeOf(file) {
  const extension = extensionOf(file.name);
  if (EXTENSIONS.videos.includes(extension)) return "videos";
  if (EXTENSIONS.quotes.includes(extension)) return "quotes";
  if (EXTENSIONS.audio.includes(extension)) {
    const seconds = await audioLength(file);
    return seconds !== null && seconds < SOUND_EFFECT_SECONDS ? "sounds" : "music";
  }
  if (file.type.startsWith("audio/")) return "music";
  if (file.type.startsWith("text/")) return "quotes";
  return "videos";
}

function audioLength(file) {
  return new Promise((resolve) => {
    const audio = new Audio();
    const url = URL.createObjectURL(file);
    const done = (value) => { URL.revokeObjectURL(url); resolve(value); };
    const timer = setTimeout(() => done(null), 3000);
    audio.preload = "metadata";
    audio.onloadedmetadata = () => { clearTimeout(timer); done(Number.isFinite(audio.duration) ? audio.duration : null); };
    audio.onerror = () => { clearTimeout(timer); done(null); };
    audio.src = url;
  });
}

// The first drop prepares the job; later drops add to it.
async function ensureJob() {
  if (state.job && state.jobStatus === "preparing") return;
  const job = await api("/api/jobs/prepare", { method: "POST" });
  useJob(job.job_id, "preparing");
  for (const list of document.querySelectorAll(".group .cards")) list.replaceChildren();
  state.clipOrder = [];
}

export function useJob(id, status) {
  state.job = id;
  state.jobStatus = status;
  $("#workspace").hidden = false;
  $("#drop").classList.add("compact");
  $("#job-line").textContent = `Job ${id}: add more files, pick a preset, then start.`;
}

const uploads = { queue: [], running: 0 };

async function addFiles(files) {
  if (!files.length) return;
  await ensureJob();
  for (const file of files) {
    const type = await typeOf(file);
    // Clips play in the order they were dropped, whichever upload ends first.
    if (type === "videos" && !state.clipOrder.includes(file.name)) state.clipOrder.push(file.name);
    uploads.queue.push({ file, type, card: uploadingCard(file, type) });
  }
  pumpUploads();
}

// Two uploads at a time, each with its own bar.
function pumpUploads() {
  while (uploads.running < 2 && uploads.queue.length) {
    const next = uploads.queue.shift();
    uploads.running += 1;
    upload(next).finally(() => {
      uploads.running -= 1;
      pumpUploads();
      if (!uploads.running && !uploads.queue.length) refreshCards();
    });
  }
}

function uploadingCard(file, type) {
  const bar = element("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
  const card = element("li", { class: "card uploading" },
    element("div", { class: "thumb", "aria-hidden": "true" }, icon(type)),
    element("div", {}, element("div", { class: "name", textContent: file.name }),
      element("div", { class: "meta", textContent: `${bytes(file.size)} · uploading` })),
    bar);
  listOf(type).append(card);
  return card;
}

function upload({ file, type, card }) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/jobs/${state.job}/upload/${type}`);
    if (state.token) request.setRequestHeader("Authorization", `Bearer ${state.token}`);
    const bar = card.querySelector("progress");
    request.upload.onprogress = (event) => { if (event.lengthComputable) bar.value = (100 * event.loaded) / event.total; };
    request.onloadend = () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      const problems = request.status >= 400 || request.status === 0
        ? [body.error || `the upload failed (HTTP ${request.status})`] : body.errors || [];
      if (problems.length) {
        bar.remove();
        card.classList.replace("uploading", "refused");
        card.querySelector(".meta").textContent = bytes(file.size);
        const dismiss = element("button", { type: "button", class: "icon", textContent: "Dismiss", "aria-label": `Dismiss ${file.name}` });
        dismiss.onclick = () => card.remove();
        card.append(element("p", { class: "error", role: "alert", textContent: problems.join("; ") }),
          element("div", { class: "tools" }, dismiss));
      } else {
        card.remove();
      }
      resolve();
    };
    const form = new FormData();
    form.append("files", file, file.name);
    request.send(form);
  });
}

function listOf(type) {
  return document.querySelector(`.group[data-type="${type}"] .cards`);
}

// The job's files as cards, from GET /api/jobs/{id}/media: the server's
// sizes and lengths, a clip's picture, a quote's text.
export async function refreshCards() {
  if (!state.job) return;
  const id = state.job;
  const { files } = await api(`/api/jobs/${id}/media`);
  if (id !== state.job) return;
  const clips = files.filter((file) => file.type === "videos").map((file) => file.name);
  state.clipOrder = [...state.clipOrder.filter((name) => clips.includes(name)), ...clips.filter((name) => !state.clipOrder.includes(name))];
  for (const type of TYPES) {
    const list = listOf(type);
    for (const old of list.querySelectorAll(".card.stored")) old.remove();
    let ofType = files.filter((file) => file.type === type);
    if (type === "videos") ofType = state.clipOrder.map((name) => ofType.find((file) => file.name === name));
    const cards = ofType.map((file, index) => storedCard(file, index, ofType.length));
    list.prepend(...cards);
    const count = document.querySelector(`.group[data-type="${type}"] .count`);
    count.textContent = ofType.length ? `(${ofType.length})` : "";
  }
  const clipSeconds = files.filter((file) => file.type === "videos").reduce((sum, file) => sum + (file.duration_seconds || 0), 0);
  const parts = TYPES.map((type) => [type, files.filter((file) => file.type === type).length]).filter(([, count]) => count);
  $("#job-line").textContent = `Job ${id}: ${parts.map(([type, count]) => `${count} ${label(type, count)}`).join(", ") || "no files yet"}`
    + (clipSeconds ? ` (${length(clipSeconds)} of clips)` : "") + ".";
  updateSummary();
}

function storedCard(file, index, count) {
  const meta = [file.duration_seconds ? clock(file.duration_seconds) : null,
    file.width ? `${file.width}×${file.height}` : null, bytes(file.size)].filter(Boolean).join(" · ");
  const thumb = element("div", { class: "thumb", "aria-hidden": "true" }, icon(file.type));
  if (file.poster) {
    mediaURL(file.poster).then((url) => {
      thumb.replaceChildren(element("img", { class: "thumb", src: url, alt: "" }));
    }).catch(() => {});
  }
  const info = element("div", {}, element("div", { class: "name", textContent: file.name }),
    element("div", { class: "meta", textContent: meta }));
  if (file.text) info.append(element("div", { class: "quote", textContent: file.text }));
  const tools = element("div", { class: "tools" });
  if (file.type === "videos") {
    tools.append(button("↑", `Move ${file.name} earlier`, () => moveClip(file.name, -1), index === 0),
      button("↓", `Move ${file.name} later`, () => moveClip(file.name, 1), index === count - 1));
  }
  if (file.type === "music" || file.type === "sounds") {
    const other = file.type === "music" ? "sounds" : "music";
    tools.append(button(other === "sounds" ? "Move to sound effects" : "Move to music", `Move ${file.name} to ${other === "sounds" ? "sound effects" : "music"}`,
      () => moveAudio(file, other)));
  }
  tools.append(button("Remove", `Remove ${file.name}`, () => removeFile(file)));
  const card = element("li", { class: "card stored", draggable: file.type === "videos" ? "true" : "false" }, thumb, info, tools);
  card.dataset.name = file.name;
  if (file.type === "videos") wireDrag(card);
  return card;
}

async function removeFile(file) {
  await api(`/api/jobs/${state.job}/files/${file.type}/${encodeURIComponent(file.name)}`, { method: "DELETE" });
  await refreshCards();
}

// Music and sound effects are both audio: moving one downloads nothing, it
// removes the file and uploads it again from this browser when it still has
// it, else says so.
async function moveAudio(file, type) {
  const kept = state.files?.get(file.name);
  if (!kept) throw new Error(`drop ${file.name} again to put it under ${type === "sounds" ? "sound effects" : "music"}`);
  await api(`/api/jobs/${state.job}/files/${file.type}/${encodeURIComponent(file.name)}`, { method: "DELETE" });
  await upload({ file: kept, type, card: uploadingCard(kept, type) });
  await refreshCards();
}

function moveClip(name, step) {
  const order = state.clipOrder;
  const from = order.indexOf(name);
  const to = from + step;
  if (from < 0 || to < 0 || to >= order.length) return;
  order.splice(to, 0, order.splice(from, 1)[0]);
  refreshCards().then(() => listOf("videos").querySelector(`[aria-label="Move ${CSS.escape(name)} ${step < 0 ? "earlier" : "later"}"]:not(:disabled)`)?.focus());
}

function wireDrag(card) {
  card.ondragstart = (event) => {
    state.dragging = card.dataset.name;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.name);
  };
  card.ondragend = () => { state.dragging = null; card.classList.remove("dragging"); };
  card.ondragover = (event) => {
    if (!state.dragging) return;
    event.preventDefault();
    event.stopPropagation();
    card.classList.add("drop-before");
  };
  card.ondragleave = () => card.classList.remove("drop-before");
  card.ondrop = (event) => {
    if (!state.dragging) return;
    event.preventDefault();
    event.stopPropagation();
    card.classList.remove("drop-before");
    const order = state.clipOrder.filter((name) => name !== state.dragging);
    order.splice(order.indexOf(card.dataset.name), 0, state.dragging);
    state.clipOrder = order;
    state.dragging = null;
    refreshCards();
  };
}

export function wireDropZone() {
  const zone = $("#drop");
  const input = $("#file-any");
  $("#choose").onclick = () => input.click();
  input.onchange = guard(async () => {
    keep(input.files);
    await addFiles([...input.files]);
    input.value = "";
  });
  // The whole "New video" screen takes a drop of files, not only the zone.
  const area = $("#create");
  area.ondragover = (event) => {
    if (state.dragging || !event.dataTransfer?.types?.includes("Files")) return;
    event.preventDefault();
    zone.classList.add("over");
  };
  area.ondragleave = (event) => { if (!area.contains(event.relatedTarget)) zone.classList.remove("over"); };
  area.ondrop = guard(async (event) => {
    if (state.dragging) return;
    event.preventDefault();
    zone.classList.remove("over");
    const files = [...(event.dataTransfer?.files || [])];
    keep(files);
    await addFiles(files);
  });
}

// The dropped files, by name, for moving audio between music and sound effects.
function keep(files) {
  state.files = state.files || new Map();
  for (const file of files) state.files.set(file.name, file);
}

export async function start() {
  $("#start-error").textContent = "";
  if (!state.job) {
    $("#start-error").textContent = "Drop at least one clip first.";
    return;
  }
  const config = readSettings();
  if (!config) return;
  let started;
  try {
    started = await api(`/api/jobs/${state.job}/start`, { method: "POST", json: config });
  } catch (error) {
    const field = error.body?.field && document.getElementById(`setting-${error.body.field}-error`);
    if (field) {
      $("#advanced").open = true;
      field.textContent = error.message;
    } else $("#start-error").textContent = error.message;
    return;
  }
  const id = state.job;
  state.job = null;
  state.jobStatus = null;
  resetCreate();
  await openJob(id, started.warnings || []);
}

export function resetCreate() {
  $("#workspace").hidden = true;
  $("#drop").classList.remove("compact");
  for (const list of document.querySelectorAll(".group .cards")) list.replaceChildren();
  for (const count of document.querySelectorAll(".group .count")) count.textContent = "";
  $("#job-line").textContent = "Drop your clips, music, sound effects and quotes to begin.";
  state.clipOrder = [];
}

// A playlist import is background work: queue it, then follow it song by song.
export async function importPlaylist(event) {
  event.preventDefault();
  const status = $("#suno-status");
  const bar = $("#suno-progress");
  const importButton = $("#suno-import");
  importButton.disabled = true;
  try {
    await ensureJob();
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
    }
    bar.hidden = true;
    const problems = task.errors.length ? ` Problems: ${task.errors.join("; ")}` : "";
    status.textContent = task.state === "completed"
      ? `${task.downloaded.length} songs added.${problems}`
      : `The import failed: ${task.error || task.state}.${problems}`;
    await refreshCards();
  } catch (error) {
    bar.hidden = true;
    status.textContent = error.message;
  } finally {
    importButton.disabled = false;
  }
}
