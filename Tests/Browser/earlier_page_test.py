"""The earlier service's own page (earlier/index.html, its templates/index.html
unchanged) in headless Chromium, served by a small proxy in front of a running
`yt-builder serve`: the proxy answers `/` with the earlier page and passes
every other request through, as an operator who kept the old page would.

1. "Upload new files": a job is prepared, a clip uploaded, a Suno playlist
   (the test's fake Suno) imported: the page says "Downloaded N song(s)".
2. "Use existing files": the shared folders are counted, the form posts
   `POST /api/jobs`, the page says "Job #N submitted successfully!", and the
   job renders to completion.

    python3 earlier_page_test.py --url http://127.0.0.1:PORT --media DIR \
        --playlist URL --songs N --screenshots DIR
"""
import argparse
import http.client
import http.server
import json
import os
import sys
import threading
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from browser import start_chromium

PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "earlier", "index.html")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def proxy(backend_host, backend_port):
    page = open(PAGE, "rb").read()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, headers, body):
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def forward(self):
            if self.command == "GET" and self.path in ("/", "/index.html"):
                return self.answer(200, [("Content-Type", "text/html; charset=utf-8")], page)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(backend_host, backend_port, timeout=300)
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            self.answer(response.status, response.getheaders(), data)

        do_GET = do_POST = do_DELETE = do_PUT = forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--media", required=True)
    parser.add_argument("--playlist", required=True)
    parser.add_argument("--songs", type=int, required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    host, port = args.url.split("//")[1].split(":")
    front = proxy(host, int(port))
    page_url = f"http://127.0.0.1:{front.server_address[1]}/"

    driver, wait, shot = start_chromium(args.screenshots)

    def accept_alert():
        alert = wait.until(EC.alert_is_present())
        text = alert.text
        alert.accept()
        return text

    try:
        # 1. Upload new files, and a Suno playlist.
        driver.get(page_url)
        buttons = driver.find_elements(By.CSS_SELECTOR, "#workflow-selector .workflow-btn")
        buttons[0].click()
        wait.until(lambda d: d.find_element(By.ID, "current-job-id").text.strip().isdigit())
        job = int(driver.find_element(By.ID, "current-job-id").text)
        driver.find_element(By.ID, "videos-input").send_keys(os.path.join(args.media, "clip.mp4"))
        wait.until(lambda d: d.find_element(By.ID, "videos-count").text == "1")
        driver.find_element(By.ID, "suno-playlist-url").send_keys(args.playlist)
        driver.find_element(By.ID, "suno-retrieve-btn").click()
        expected = f"Downloaded {args.songs} song(s)"
        wait.until(lambda d: expected in d.find_element(By.ID, "suno-status").text
                   or "No songs" in d.find_element(By.ID, "suno-status").text)
        shot("suno")
        status = driver.find_element(By.ID, "suno-status").text
        assert expected in status, f"the page says {status!r}"
        assert driver.find_element(By.ID, "music-count").text == str(args.songs)
        files = get_json(f"{args.url}/api/jobs/{job}")["file_counts"]
        assert files["music"] == args.songs, files

        # 2. Use existing files: the shared folders make a job that renders.
        driver.get(page_url)
        driver.find_elements(By.CSS_SELECTOR, "#workflow-selector .workflow-btn")[1].click()
        wait.until(lambda d: "video(s)" in d.find_element(By.ID, "file-counts").text)
        counts = driver.find_element(By.ID, "file-counts").text
        assert "1 video(s)" in counts and "1 music file(s)" in counts, counts
        form = driver.find_element(By.ID, "existing-config-form")
        duration = form.find_element(By.NAME, "duration")
        duration.clear()
        duration.send_keys("2")
        Select(form.find_element(By.NAME, "resolution")).select_by_value("1280x720")
        fps = form.find_element(By.NAME, "fps")
        fps.clear()
        fps.send_keys("24")
        shot("existing-form")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        text = accept_alert()
        assert text.startswith("Job #") and text.endswith("submitted successfully!"), text
        created = int(text.split("#")[1].split(" ")[0])
        deadline = time.time() + 240
        while time.time() < deadline:
            state = get_json(f"{args.url}/api/jobs/{created}")
            if state["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(1)
        assert state["status"] == "completed", state
        assert state["file_counts"]["videos"] == 1 and state["file_counts"]["music"] == 1, state
        shot("existing-done")
        print("earlier page test passed")
    except Exception:
        shot("failure")
        raise
    finally:
        driver.quit()
        front.shutdown()


if __name__ == "__main__":
    sys.exit(main())
