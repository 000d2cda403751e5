// The history: a card per job with its picture, length, size and status,
// and what can be done with it.

import { $, state, api, mediaURL, length, bytes, element, button, guard, label, cleanLine } from "./core.js";
import { openJob, duplicate, retry } from "./job.js";

export async function loadHistory(more = false) {
  const status = $("#history-status").value;
  const query = new URLSearchParams({ limit: "12" });
  if (status) query.set("status", status);
  if (more && state.cursor) query.set("after", state.cursor);
  const page = await api(`/api/jobs?${query}`);
  const list = $("#history-list");
  if (!more) list.replaceChildren();
  for (const job of page.jobs) list.append(historyCard(job));
  state.cursor = page.next_cursor;
  $("#history-more").hidden = !page.next_cursor;
  $("#history-empty").hidden = list.children.length > 0;
}

function historyCard(job) {
  const thumb = element("div", { class: "thumb", textContent: job.status === "completed" ? "" : job.status });
  if (job.status === "completed") {
    mediaURL(`/api/jobs/${job.job_id}/poster`).then((url) => {
      thumb.replaceWith(element("img", { class: "thumb", src: url, alt: `A frame of job ${job.job_id}'s video` }));
    }).catch(() => { thumb.textContent = "no picture"; });
  }
  const seconds = job.config?.duration;
  const counts = job.file_counts || {};
  const meta = [new Date(job.created_at).toLocaleString(), seconds ? length(seconds) : null,
    job.output_bytes ? bytes(job.output_bytes) : null,
    `${counts.videos || 0} ${label("videos", counts.videos || 0)}`].filter(Boolean).join(" · ");
  const actions = element("div", { class: "actions" });
  actions.append(button("Open", `Open job ${job.job_id}`, () => openJob(job.job_id)));
  if (job.status === "completed") {
    const download = element("a", { class: "button", href: "#", textContent: "Download", "aria-label": `Download job ${job.job_id}'s video` });
    download.onclick = guard(async (event) => {
      event.preventDefault();
      const link = element("a", { href: await mediaURL(`/api/jobs/${job.job_id}/download`), download: `job-${job.job_id}.mp4` });
      document.body.append(link);
      link.click();
      link.remove();
    });
    actions.append(download, button("Publish", `Publish job ${job.job_id} to YouTube`, async () => {
      await openJob(job.job_id);
      $("#result").scrollIntoView();
    }));
  }
  if (["failed", "cancelled"].includes(job.status)) actions.append(button("Retry", `Retry job ${job.job_id}`, () => retry(job.job_id)));
  actions.append(button("Duplicate", `Duplicate job ${job.job_id}`, () => duplicate(job.job_id)));
  if (!["queued", "running"].includes(job.status)) {
    const remove = button("Delete", `Delete job ${job.job_id}`, async () => {
      if (!window.confirm(`Delete job ${job.job_id} and its files?`)) return;
      await api(`/api/jobs/${job.job_id}`, { method: "DELETE" });
      card.remove();
    });
    remove.classList.add("danger");
    actions.append(remove);
  }
  const card = element("li", {}, thumb, element("div", { class: "body" },
    element("h2", { textContent: `Job ${job.job_id}` }),
    element("p", {}, element("span", { class: `badge ${job.status}`, textContent: job.status }),
      job.status === "running" ? ` ${job.progress} %` : ""),
    element("p", { class: "meta", textContent: meta }),
    job.error ? element("p", { class: "error", textContent: cleanLine(job.error) }) : null,
    actions));
  card.dataset.job = job.job_id;
  return card;
}
