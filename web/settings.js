// The settings: presets first, the thirteen fields folded under "Advanced",
// each with its default, unit and range, checked here and by the server.

import { $, state, api, length, element } from "./core.js";

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

// Presets set fields over the server's defaults; "Custom" keeps what Advanced says.
const PRESETS = [
  { id: "quick", title: "Quick test", detail: "30 seconds, 720p", values: { duration: 30, resolution: "1280x720" } },
  { id: "ten", title: "10 minutes", detail: "1080p, 30 fps, crossfades", values: { duration: 600 } },
  { id: "hour", title: "1 hour loop", detail: "1080p, 30 fps, crossfades", values: { duration: 3600 } },
  {
    id: "ambient", title: "3 hour ambient", detail: "1080p, 24 fps, fades, no quotes",
    values: { duration: 10800, fps: 24, transition: "fade", quotes_min_between: 86400, quotes_max_between: 86400 },
  },
  { id: "custom", title: "Custom", detail: "your own settings, under Advanced", values: null },
];

export function buildPresets() {
  const group = $("#presets");
  for (const preset of PRESETS) {
    const input = element("input", { type: "radio", name: "preset", value: preset.id, id: `preset-${preset.id}` });
    input.onchange = () => applyPreset(preset.id);
    group.append(element("label", { class: "preset", htmlFor: input.id }, input,
      element("span", {}, element("strong", { textContent: preset.title }), element("span", { class: "hint", textContent: preset.detail }))));
  }
}

function applyPreset(id) {
  const preset = PRESETS.find((one) => one.id === id);
  document.getElementById(`preset-${id}`).checked = true;
  if (preset.values) setSettings({ ...state.defaults, ...preset.values });
  updateSummary();
}

export async function buildSettings() {
  state.defaults = await api("/api/config/defaults");
  state.fonts = (await api("/api/fonts").catch(() => ({ fonts: [] }))).fonts;
  const form = $("#settings");
  form.replaceChildren();
  for (const field of FIELDS) {
    const id = `setting-${field.key}`;
    const hint = [field.unit, field.min !== undefined ? `${field.min}–${field.max}` : null,
      field.kind !== "checkbox" ? `default ${state.defaults[field.key]}` : null].filter(Boolean).join(", ");
    const labelNode = element("label", { htmlFor: id, textContent: field.label + " " }, element("span", { class: "hint", textContent: hint }));
    let input;
    if (field.kind === "select") {
      input = element("select");
      for (const option of field.options) input.append(new Option(option, option));
    } else {
      input = element("input", { type: field.kind });
      for (const attribute of ["min", "max", "step", "pattern"]) if (field[attribute] !== undefined) input.setAttribute(attribute, field[attribute]);
    }
    input.id = id;
    input.name = field.key;
    const error = element("p", { class: "error", id: `${id}-error`, role: "alert" });
    input.setAttribute("aria-describedby", error.id);
    input.addEventListener("input", () => { document.getElementById("preset-custom").checked = true; updateSummary(); });
    const wrapper = field.kind === "checkbox"
      ? element("div", {}, element("label", { class: "inline", htmlFor: id }, input, field.label), error)
      : element("div", {}, labelNode, input, error);
    if (field.key === "quote_font") wrapper.append(fontPreview(input));
    form.append(wrapper);
  }
  applyPreset("ten");
}

export function setSettings(values) {
  for (const field of FIELDS) {
    const input = document.getElementById(`setting-${field.key}`);
    const value = values[field.key] ?? state.defaults[field.key];
    if (field.kind === "checkbox") input.checked = Boolean(value);
    else input.value = value ?? "";
  }
  document.getElementById("font-preview")?.dispatchEvent(new Event("refresh"));
}

export function updateSummary() {
  const value = (key) => document.getElementById(`setting-${key}`)?.value;
  const duration = Number(value("duration"));
  if (!duration) return;
  const quotes = Number(value("quotes_min_between")) >= duration
    ? "no quotes"
    : `quotes every ${value("quotes_min_between")}–${value("quotes_max_between")} s for ${value("quotes_duration")} s`;
  $("#summary").textContent = `A ${length(duration)} video at ${value("resolution")}, ${value("fps")} fps, `
    + `${value("transition")} between clips, ${quotes}.`;
}

// A line in the chosen font: a file of the server's fonts/ folder when there is
// one of that name (the page asks only for files the server listed), else the
// family as the browser knows it.
function fontPreview(input) {
  const preview = element("p", { class: "font-preview", id: "font-preview", textContent: "The quick brown fox jumps over the lazy dog." });
  let ticket = 0;
  const update = async () => {
    const name = input.value.trim();
    const mine = ++ticket;
    let family = name ? `"${name.replace(/["\\]/g, "")}", sans-serif` : "sans-serif";
    const font = state.fonts.find((one) => one.name === name || one.file === name);
    if (font) {
      try {
        const face = new FontFace(`preview-${mine}`, `url("/fonts/${encodeURIComponent(font.file)}")`);
        await face.load();
        document.fonts.add(face);
        family = `"preview-${mine}", sans-serif`;
      } catch {
        // the file is not a font the browser can read: the family name stands
      }
    }
    if (mine === ticket) preview.style.fontFamily = family;
  };
  input.addEventListener("input", update);
  preview.addEventListener("refresh", update);
  update();
  return preview;
}

export function readSettings() {
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
  if (!valid) $("#advanced").open = true;
  if (state.clipOrder.length) config.clip_order = state.clipOrder;
  return valid ? config : null;
}
