"""The web page end to end in headless Chromium (selenium), against a running
`yt-builder serve` with a worker and ffmpeg: files of all four kinds dropped
at once, clips reordered, a preset, a long job whose time remaining falls
while the operations view shows its worker, then cancelled; a short job
made like it, finished, played and duplicated; a failed job retried; the
history filtered; a phone-sized and a dark screen. axe-core checks every
screen for serious or critical accessibility violations. A screenshot of
each step goes to --screenshots.

    python3 page_test.py --url http://127.0.0.1:PORT --media DIR --screenshots DIR
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.request

from axe_selenium_python import Axe
from selenium.webdriver.common.by import By

from browser import start_chromium


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--media", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()

    driver, wait, shot = start_chromium(args.screenshots, ["--autoplay-policy=no-user-gesture-required"])
    axe = Axe(driver)

    def media(name):
        return os.path.abspath(os.path.join(args.media, name))

    def api(path, method="GET"):
        request = urllib.request.Request(args.url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def find(selector):
        return driver.find_element(By.CSS_SELECTOR, selector)

    def text(selector):
        return find(selector).text

    def accessible(screen):
        """No serious or critical axe-core violation on the screen as it is now."""
        axe.inject()
        results = axe.run()
        bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, f"accessibility on {screen}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)

    def cards(kind, state="stored"):
        return driver.find_elements(By.CSS_SELECTOR, f'.group[data-type="{kind}"] .card.{state}')

    def card_names(kind):
        return driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((card) => card.querySelector('.name').textContent)",
            f'.group[data-type="{kind}"] .card.stored')

    def drop(paths):
        """Drops files on the page the way a person does: a drop event whose
        DataTransfer holds the files (selenium hands them to a file input first)."""
        driver.execute_script(
            "const i = document.createElement('input'); i.type = 'file'; i.multiple = true; i.id = 'test-files';"
            "document.body.append(i);")
        find("#test-files").send_keys("\n".join(paths))
        driver.execute_script("""
            const input = document.getElementById('test-files');
            const data = new DataTransfer();
            for (const file of input.files) data.items.add(file);
            const target = document.getElementById('drop');
            for (const type of ['dragenter', 'dragover', 'drop']) {
              target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
            }
            input.remove();""")

    def drag_clip(name, before):
        """Drags one clip card onto another, with the events a mouse drag sends."""
        driver.execute_script("""
            const [name, before] = arguments;
            const card = (n) => [...document.querySelectorAll('.group[data-type="videos"] .card.stored')]
              .find((c) => c.dataset.name === n);
            const data = new DataTransfer();
            const send = (node, type) => node.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
            send(card(name), 'dragstart');
            send(card(before), 'dragover');
            send(card(before), 'drop');
            send(card(name), 'dragend');""", name, before)

    def set_field(key, value):
        field = find(f"#setting-{key}")
        field.clear()
        field.send_keys(value)

    def seconds(clock):
        parts = [int(p) for p in clock.split(":")] if re.fullmatch(r"\d+(:\d+)+", clock) else None
        if not parts:
            return None
        total = 0
        for part in parts:
            total = total * 60 + part
        return total

    def job_id():
        return int(text("#job-title").split()[-1])

    try:
        driver.get(args.url + "/")
        wait.until(lambda d: d.find_elements(By.ID, "setting-duration"))
        assert find("#drop").is_displayed() and not find("#workspace").is_displayed()
        shot("start")
        accessible("the first screen")

        # 1. Everything dropped at once sorts itself; a file the server refuses says why on its card.
        drop([media(n) for n in ("clip.mp4", "other.mov", "song.mp3", "bell.wav", "quote.txt", "notes.pdf")])
        wait.until(lambda d: len(cards("videos")) == 2 and len(cards("music")) == 1 and len(cards("sounds")) == 1
                   and len(cards("quotes")) == 1)
        wait.until(lambda d: "videos files must end in" in d.find_element(
            By.CSS_SELECTOR, '.group[data-type="videos"] .card.refused').text)
        assert card_names("music") == ["song.mp3"] and card_names("sounds") == ["bell.wav"]
        assert "Nothing is lost." in text('.group[data-type="quotes"] .card.stored .quote')
        wait.until(lambda d: d.execute_script(
            "const s = [...document.querySelectorAll('.group[data-type=\"videos\"] .card.stored img')];"
            "return s.length === 2 && s.every((i) => i.complete && i.naturalWidth > 0)"))
        meta = text('.group[data-type="videos"] .card.stored .meta')
        assert "0:02" in meta and "160×120" in meta, meta
        assert re.search(r"Job \d+: 2 clips, 1 song, 1 sound effect, 1 quote file", text("#job-line")), text("#job-line")
        find('.group[data-type="videos"] .card.refused button').click()
        shot("dropped")
        accessible("the cards")

        # 2. Clips reorder by keyboard and by dragging; the order goes with the job.
        assert card_names("videos") == ["clip.mp4", "other.mov"]
        find('button[aria-label="Move other.mov earlier"]').click()
        wait.until(lambda d: card_names("videos") == ["other.mov", "clip.mp4"])
        drag_clip("clip.mp4", "other.mov")
        wait.until(lambda d: card_names("videos") == ["clip.mp4", "other.mov"])
        find('button[aria-label="Move clip.mp4 later"]').click()
        wait.until(lambda d: card_names("videos") == ["other.mov", "clip.mp4"])

        # 3. A preset sets the fields; changing one makes it "Custom". The font preview uses the server's file.
        find('label[for="preset-ambient"]').click()
        assert find("#setting-duration").get_attribute("value") == "10800"
        assert "no quotes" in text("#summary"), text("#summary")
        find("#advanced summary").click()
        set_field("resolution", "320x180")
        set_field("fps", "12")
        assert find("#preset-custom").is_selected()
        set_field("quote_font", "Preview")
        wait.until(lambda d: "preview-" in d.find_element(By.ID, "font-preview").value_of_css_property("font-family"))
        shot("settings")
        accessible("the settings")

        # 4. The long job: time remaining falls while it runs; the operations view shows its worker.
        find("#start").click()
        wait.until(lambda d: d.find_element(By.ID, "job").is_displayed())
        long_job = job_id()
        assert api(f"/api/jobs/{long_job}")["config"]["clip_order"] == ["other.mov", "clip.mp4"]
        readings = []
        deadline = time.time() + 90
        while time.time() < deadline:
            status = text("#job-status")
            remaining = seconds(text("#job-remaining"))
            if status == "running" and remaining is not None and (not readings or readings[-1] != remaining):
                readings.append(remaining)
            if any(later < earlier for earlier, later in zip(readings, readings[1:])):
                break
            assert status in ("queued", "running"), f"the long job ended {status}"
            time.sleep(0.2)
        assert any(later < earlier for earlier, later in zip(readings, readings[1:])), f"time remaining: {readings}"
        assert seconds(text("#job-elapsed")) is not None
        shot("running")
        accessible("a running job")

        find('nav button[data-view="admin"]').click()
        wait.until(lambda d: f"of job {long_job}" in d.find_element(By.ID, "admin-workers").text)
        assert "render" in text("#admin-queue") and "answering" in text("#admin-tiles")
        assert driver.current_url.endswith("/admin")
        shot("operations")
        accessible("the operations view")

        # 5. Cancel it from its own screen (reached from the history).
        find('nav button[data-view="history"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'#history-list li[data-job="{long_job}"]'))
        find(f'button[aria-label="Open job {long_job}"]').click()
        wait.until(lambda d: d.find_element(By.ID, "cancel").is_displayed())
        find("#cancel").click()
        wait.until(lambda d: text("#job-status") == "cancelled")

        # 6. Make another like it, short this time; it finishes and plays; the log hides server paths.
        find("#again").click()
        wait.until(lambda d: d.find_element(By.ID, "workspace").is_displayed() and len(cards("videos")) == 2)
        assert card_names("videos") == ["other.mov", "clip.mp4"], "the copy keeps the clip order"
        assert find("#setting-fps").get_attribute("value") == "12", "and the settings"
        find('label[for="preset-quick"]').click()
        find("#advanced summary").click() if not find("#advanced").get_attribute("open") else None
        set_field("duration", "4")
        set_field("resolution", "320x180")
        set_field("quotes_min_between", "0.5")
        set_field("quotes_max_between", "1")
        set_field("quotes_duration", "1")
        find("#start").click()
        wait.until(lambda d: d.find_element(By.ID, "job").is_displayed() and job_id() != long_job)
        short_job = job_id()
        wait.until(lambda d: text("#job-status") in ("completed", "failed", "cancelled"))
        assert text("#job-status") == "completed", text("#job-error")
        assert text("#job-percent") == "100 %" and text("#job-remaining") == "0:00"
        wait.until(lambda d: "video written" in text("#job-log"))
        log = text("#job-log")
        assert re.search(r"video written: [^/\s]+\.mp4", log), log
        assert " on worker " not in log
        find("#log-raw").click()
        assert re.search(r"video written: /\S+", text("#job-log")), "the full log shows the path"
        wait.until(lambda d: d.execute_script("return document.getElementById('player').readyState") >= 1)
        duration = driver.execute_script("return document.getElementById('player').duration")
        assert abs(duration - 4) < 0.5, f"the player says {duration} s"
        driver.execute_script("const p = document.getElementById('player'); p.scrollIntoView(); p.play()")
        time.sleep(0.5)
        shot("finished")
        accessible("a finished job")

        # 7. A job that fails (a "clip" ffmpeg cannot read), retried from the history.
        find('nav button[data-view="create"]').click()
        drop([media("broken.mp4")])
        wait.until(lambda d: len(cards("videos")) == 1)
        find('label[for="preset-quick"]').click()
        find("#start").click()
        wait.until(lambda d: d.find_element(By.ID, "job").is_displayed() and job_id() not in (long_job, short_job))
        failed_job = job_id()
        wait.until(lambda d: text("#job-status") == "failed")
        assert "broken.mp4" in text("#job-error"), text("#job-error")
        find('nav button[data-view="history"]').click()
        wait.until(lambda d: d.execute_script(
            f"const i = document.querySelector('#history-list li[data-job=\"{short_job}\"] img');"
            "return i !== null && i.complete && i.naturalWidth > 0"))
        assert "/tmp" not in text("#history-list") and "broken.mp4 is not a media file" in text("#history-list")
        shot("history")
        accessible("the history")
        find(f'button[aria-label="Retry job {failed_job}"]').click()
        wait.until(lambda d: d.find_element(By.ID, "job").is_displayed() and job_id() > failed_job)
        retried = api(f"/api/jobs/{job_id()}")
        assert retried["file_counts"]["videos"] == 1 and retried["status"] in ("queued", "running", "failed")

        # 8. The history: duplicate the finished job, delete the failed one, filter by status.
        find('nav button[data-view="history"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'button[aria-label="Delete job {failed_job}"]'))
        find(f'button[aria-label="Delete job {failed_job}"]').click()
        driver.switch_to.alert.accept()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'#history-list li[data-job="{failed_job}"]'))
        assert failed_job not in [job["job_id"] for job in api("/api/jobs")["jobs"]]
        find(f'button[aria-label="Duplicate job {short_job}"]').click()
        wait.until(lambda d: d.find_element(By.ID, "workspace").is_displayed() and len(cards("videos")) == 2)
        assert find("#setting-duration").get_attribute("value") == "4"
        find('nav button[data-view="history"]').click()
        driver.execute_script("const s = document.getElementById('history-status'); s.value = 'completed';"
                              "s.dispatchEvent(new Event('change'));")
        wait.until(lambda d: {li.get_attribute("data-job") for li in d.find_elements(By.CSS_SELECTOR, "#history-list li")}
                   == {str(short_job)})

        # 9. A phone-sized screen: nothing wider than the screen; and the dark scheme.
        driver.set_window_size(390, 844)
        find('nav button[data-view="create"]').click()
        time.sleep(0.3)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        shot("phone")
        accessible("the phone-sized screen")
        driver.set_window_size(1200, 1000)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        find('nav button[data-view="history"]').click()
        time.sleep(0.5)
        shot("dark")
        accessible("the dark scheme")
        print("browser test passed;", shot.taken, "screenshots in", args.screenshots)
    except Exception:
        shot("failure")
        for entry in driver.get_log("browser") if hasattr(driver, "get_log") else []:
            print("browser:", entry, file=sys.stderr)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
