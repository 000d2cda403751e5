// Operations (/admin): the stores, the workers and what each does, the
// queue, jobs by status, the latest failures with a retry.

import { $, api, clock, element, button, cleanLine } from "./core.js";
import { openJob, retry } from "./job.js";

export async function loadAdmin() {
  let overview;
  try {
    overview = await api("/api/admin/overview");
    $("#admin-error").textContent = "";
  } catch (error) {
    $("#admin-error").textContent = error.message;
    return;
  }
  $("#admin-updated").textContent = `Updated ${new Date().toLocaleTimeString()} · yt-builder ${overview.version}`;
  const tile = (title, ok, ...lines) => element("div", { class: "tile" }, element("h2", { textContent: title }),
    element("p", { class: ok ? "ok" : "bad", textContent: ok ? "answering" : "not answering" }),
    ...lines.filter(Boolean).map((line) => element("p", { class: "hint", textContent: line })));
  const alive = overview.workers.filter((worker) => worker.alive).length;
  const { database, files } = overview;
  const busy = overview.workers.filter((worker) => worker.running.length).length;
  $("#admin-tiles").replaceChildren(
    tile(`Database (${database.backend})`, database.ok, database.location, database.error,
      database.latency_ms !== undefined ? `${database.latency_ms} ms to count the jobs` : null),
    tile("File store", files.ok, files.location, files.error),
    element("div", { class: "tile" }, element("h2", { textContent: "Workers" }),
      element("p", { class: alive ? "ok" : "bad", textContent: alive ? `${alive} alive` : "none alive" }),
      element("p", { class: "hint", textContent: `${busy} busy; ${overview.workers.length - alive} silent` })));
  $("#admin-workers").replaceChildren(...(overview.workers.length ? overview.workers.map((worker) => element("tr", {},
    element("td", {}, element("strong", { textContent: worker.worker_id }), element("br"), element("span", { class: "hint", textContent: `${worker.host} · ${worker.version}` })),
    element("td", { class: worker.alive ? "" : "bad", textContent: `${clock(worker.seconds_since_seen)} ago${worker.alive ? "" : " (silent)"}` }),
    element("td", { textContent: worker.running.map((task) => `${task.kind.replace("_", " ")}${task.job_id ? ` of job ${task.job_id}` : ""} (attempt ${task.attempt})`).join("; ") || "idle" }),
    element("td", { textContent: worker.kinds.join(", ") }))) : [element("tr", {}, element("td", { colSpan: 4, textContent: "No worker has reported in the last ten minutes." }))]));
  $("#admin-queue").replaceChildren(...(overview.queue.length ? overview.queue.map((row) => element("tr", {},
    element("td", { textContent: row.kind.replace("_", " ") }), element("td", { textContent: row.state }), element("td", { textContent: row.count })))
    : [element("tr", {}, element("td", { colSpan: 3, textContent: "Nothing queued or running." }))]));
  const statuses = ["preparing", "queued", "running", "completed", "failed", "cancelled"];
  $("#admin-jobs").replaceChildren(...statuses.map((status) => [status, overview.jobs[status] ?? 0]).map(([status, count]) =>
    element("p", {}, element("span", { class: "figure-label", textContent: status }), element("span", { textContent: count }))));
  $("#admin-failures").replaceChildren(...(overview.failures.length ? overview.failures.map((failure) => element("li", {},
    element("strong", { textContent: `Job ${failure.job_id}` }), `: ${cleanLine(failure.error || "failed")} `,
    button("Retry", `Retry job ${failure.job_id}`, () => retry(failure.job_id)),
    " ", button("Open", `Open job ${failure.job_id}`, () => openJob(failure.job_id))))
    : [element("li", { textContent: "No failed jobs." })]));
}
