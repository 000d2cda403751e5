"""Headless Chromium for the browser tests: the driver, a two-minute wait,
and `shot(name)`, which saves a numbered screenshot into `screenshots`
(`shot.taken` counts them)."""
import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait


def start_chromium(screenshots, extra_flags=()):
    os.makedirs(screenshots, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000",
                 *extra_flags):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def shot(name):
        shot.taken += 1
        driver.save_screenshot(os.path.join(screenshots, f"{shot.taken:02d}-{name}.png"))

    shot.taken = 0
    # The pages redraw lists as they poll: an element found a moment ago may be gone; look again.
    return driver, WebDriverWait(driver, 120, ignored_exceptions=[StaleElementReferenceException]), shot
