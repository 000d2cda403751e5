// What every screen of the page shares: the API (with the token), the state,
// small DOM and formatting helpers.

export const $ = (selector) => document.querySelector(selector);

export const TYPES = ["videos", "music", "sounds", "quotes"];

export const state = {
  job: null,
  jobStatus: null,
  token: sessionStorage.getItem("yt-builder-token"),
  defaults: {},
  fonts: [],
  clipOrder: [],
  dragging: null,
  log: [],
  logNext: 0,
  poll: null,
  adminPoll: null,
  cursor: null,
  blobs: new Map(),
};

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const init = { ...options, headers };
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, init);
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
      state.blobs.clear();
      resolve();
    };
    if (!dialog.open) dialog.showModal();
  });
}

// A picture or video the page shows: its URL, or, when the API needs a token
// (which <img> and <video> cannot send), a blob fetched with it.
export async function mediaURL(path) {
  if (!state.token) return path;
  if (state.blobs.has(path)) return state.blobs.get(path);
  const response = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  state.blobs.set(path, url);
  return url;
}

export function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

export function length(seconds) {
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(2)} h`;
  if (seconds >= 60) return `${+(seconds / 60).toFixed(1)} min`;
  return `${+seconds.toFixed(1)} s`;
}

export function bytes(count) {
  if (count === null || count === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

export function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key === "role" || key === "draggable") node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function button(text, ariaLabel, action, disabled = false) {
  const node = element("button", { type: "button", class: "icon", textContent: text, "aria-label": ariaLabel, disabled });
  node.onclick = guard(action);
  return node;
}

export function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      const line = $("#job").hidden ? $("#job-line") : $("#job-error");
      line.textContent = `Error: ${error.message}`;
    }
  };
}

export function icon(type) {
  return { videos: "▶", music: "♪", sounds: "∿", quotes: "❝" }[type] || "?";
}

export function label(type, count) {
  const one = { videos: "clip", music: "song", sounds: "sound effect", quotes: "quote file" }[type];
  return count === 1 ? one : `${one}s`;
}

// By default the log leaves out where the server keeps files and which
// worker ran the job: a path becomes its file name.
export function cleanLine(line) {
  return line
    .replace(/ on worker \S+/g, "")
    .replace(/(?:\/[^\s/'",:;]+)+\/([^\s/'",:;]+)/g, "$1");
}
