"""The web page end to end in headless Chromium (selenium), against a running
`yt-builder serve` with a worker and ffmpeg: prepare, upload, settings (one
invalid value first), start, progress to 100 %, the video plays, history.
A screenshot of each step goes to --screenshots.

    python3 page_test.py --url http://127.0.0.1:PORT --media DIR --screenshots DIR
"""
import argparse
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser import start_chromium


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--media", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()

    driver, wait, shot = start_chromium(args.screenshots, ["--autoplay-policy=no-user-gesture-required"])

    def media(name):
        return os.path.abspath(os.path.join(args.media, name))

    try:
        driver.get(args.url + "/")
        wait.until(EC.presence_of_element_located((By.ID, "setting-duration")))
        shot("page")

        driver.find_element(By.ID, "prepare").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "job-line"), "is ready for files"))
        driver.find_element(By.ID, "file-videos").send_keys(media("clip.mp4") + "\n" + media("other.mov"))
        driver.find_element(By.ID, "file-music").send_keys(media("song.mp3"))
        driver.find_element(By.ID, "file-quotes").send_keys(media("quote.txt"))
        # A file of the wrong type: the server's error appears next to it.
        driver.find_element(By.ID, "file-videos").send_keys(media("quote.txt"))
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '.drop[data-type="videos"] li.stored')) == 2)
        wait.until(lambda d: "videos files must end in" in d.find_element(By.CSS_SELECTOR, '.drop[data-type="videos"]').text)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '.drop[data-type="quotes"] li.stored'))
        shot("uploaded")

        def set_field(key, value):
            field = driver.find_element(By.ID, f"setting-{key}")
            field.clear()
            field.send_keys(value)

        set_field("duration", "3")
        set_field("resolution", "320x180")
        # The font preview loads a file of the server's fonts/ folder.
        set_field("quote_font", "Preview")
        wait.until(lambda d: "preview-" in d.find_element(By.ID, "font-preview").value_of_css_property("font-family"))
        shot("font-preview")
        set_field("quote_font", "DejaVu Sans")
        set_field("quotes_min_between", "0.5")
        set_field("quotes_max_between", "1")
        set_field("quotes_duration", "1")
        set_field("fps", "500")
        driver.find_element(By.ID, "start").click()
        wait.until(lambda d: d.find_element(By.ID, "setting-fps-error").text.strip() != "")
        shot("invalid-setting")
        # The server's own check too: a resolution that is not even.
        set_field("fps", "12")
        set_field("resolution", "321x180")
        driver.find_element(By.ID, "start").click()
        wait.until(lambda d: "even" in d.find_element(By.ID, "setting-resolution-error").text)
        shot("server-message")
        set_field("resolution", "320x180")
        driver.find_element(By.ID, "start").click()

        wait.until(EC.visibility_of_element_located((By.ID, "job")))
        shot("started")
        wait.until(lambda d: d.find_element(By.ID, "job-status").text in ("completed", "failed", "cancelled"))
        status = driver.find_element(By.ID, "job-status").text
        shot("finished")
        assert status == "completed", f"the job ended {status}: {driver.find_element(By.ID, 'job-error').text}"
        assert driver.find_element(By.ID, "job-percent").text == "100 %"
        # The page shows the status first and fetches the log after it.
        wait.until(lambda d: "video written" in d.find_element(By.ID, "job-log").text)

        wait.until(lambda d: d.execute_script("return document.getElementById('player').readyState") >= 1)
        duration = driver.execute_script("return document.getElementById('player').duration")
        assert abs(duration - 3) < 0.5, f"the player says {duration} s"
        driver.execute_script("const p = document.getElementById('player'); p.scrollIntoView(); p.play()")
        time.sleep(0.5)
        shot("result")

        driver.find_element(By.CSS_SELECTOR, 'nav button[data-view="history"]').click()
        wait.until(lambda d: "completed" in d.find_element(By.ID, "history-rows").text)
        shot("history")

        # A job from the history opens with its files and log.
        driver.find_element(By.CSS_SELECTOR, "#history-rows tr").click()
        wait.until(lambda d: d.find_element(By.ID, "job-status").text == "completed")
        assert "videos: clip.mp4" in driver.execute_script("return document.getElementById('job-files').textContent")
        # The page shows the status first and fetches the log after it.
        wait.until(lambda d: "video written" in d.find_element(By.ID, "job-log").text)

        # A phone-sized screen: nothing wider than the screen.
        driver.set_window_size(390, 844)
        driver.find_element(By.CSS_SELECTOR, 'nav button[data-view="create"]').click()
        time.sleep(0.3)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the page is {width} px wide on a 390 px screen"
        shot("phone")
        print("browser test passed;", shot.taken, "screenshots in", args.screenshots)
    except Exception:
        shot("failure")
        logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
        for entry in logs:
            print("browser:", entry, file=sys.stderr)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
