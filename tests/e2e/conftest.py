"""A real Streamlit server on a seeded demo database, driven by Debian's Chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.browser import TIMEOUT, track

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run",
                 "--disable-sync"]
TABLET_SIZES = {"landscape": (1024, 768), "portrait": (768, 1024)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """A freshly seeded demo database (SQLite file) for the app under test."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed")
    db_path = tmp_path_factory.mktemp("e2e") / "demo.db"
    url = f"sqlite:///{db_path}"
    subprocess.run([sys.executable, "-m", "sample_data.load", "--url", url],
                   cwd=ROOT, env={**os.environ, "WAREHOUSE_DB_URL": url}, check=True,
                   capture_output=True)
    return url


@pytest.fixture(scope="session")
def demo_db(demo_db_url):
    """The services on the server's own database file (set-up and checks)."""
    from db import open_database

    db = open_database(demo_db_url)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def server(demo_db_url):
    """URL of a running app on a freshly seeded demo database."""
    env = {**os.environ, "WAREHOUSE_DB_URL": demo_db_url}
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(params=list(TABLET_SIZES))
def tablet(request, browser):
    """A fresh browser context at a tablet size (touch enabled)."""
    width, height = TABLET_SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  has_touch=True, device_scale_factor=1, locale="en-US")
    context.set_default_timeout(TIMEOUT * 1000)
    page = context.new_page()
    page.orientation = request.param
    track(page)                 # count script runs from the first page load on
    yield page
    report = getattr(request.node, "rep_call", None)
    failed = ARTIFACTS / f"FAILED-{request.node.name}.png"
    if report is not None and report.failed:      # what the screen showed when it failed
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(failed))
    elif report is not None and report.passed:
        failed.unlink(missing_ok=True)            # no stale failure next to passing screens
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.orientation}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# Chromium's fake camera often shows only black frames to the first page that opens it
# in a new browser; later pages see the video. Each camera browser therefore opens the
# camera once on a page of the app (a secure origin) and waits for a picture.
def _waits_for_picture(seconds: int) -> str:
    """JS: (video) => a promise of whether it shows more than black within ``seconds``."""
    return """v => new Promise(resolve => {
    const canvas = document.createElement('canvas'); canvas.width = 16; canvas.height = 16;
    const paint = canvas.getContext('2d');
    const started = Date.now();
    const check = () => {
        if (v.readyState >= 2) {
            paint.drawImage(v, 0, 0, 16, 16);
            const px = paint.getImageData(0, 0, 16, 16).data;
            let sum = 0;
            for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
            if (sum > 16 * 16 * 60) return resolve(true);
        }
        if (Date.now() - started > %d) return resolve(false);
        setTimeout(check, 100);
    };
    check();
})""" % (seconds * 1000)


VIDEO_HAS_PICTURE = _waits_for_picture(30)
_CAMERA_SHOWS_PICTURE = """() => navigator.mediaDevices.getUserMedia({video: true})
  .then(stream => {
    const video = document.createElement('video');
    video.muted = true; video.srcObject = stream; video.play();
    return (%s)(video).then(ok => { stream.getTracks().forEach(t => t.stop()); return ok; });
  })""" % _waits_for_picture(20)


def launch_camera_browser(browser, video: Path, server: str):
    """A second Chromium (from the session's Playwright: a second sync Playwright in
    one process fails) whose camera plays ``video``, warmed up until it shows it."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
    instance = browser.browser_type.launch(executable_path=CHROMIUM, args=args, headless=True)
    context = instance.new_context(permissions=["camera"])
    try:
        page = context.new_page()
        page.goto(f"{server}/_stcore/health")
        page.evaluate(_CAMERA_SHOWS_PICTURE)
    finally:
        context.close()
    return instance


def camera_shows_picture(widget) -> bool:
    """Scroll a camera widget into view (Chromium pauses a video out of view, and a
    paused camera takes no photo) and wait until its video shows a picture."""
    widget.scroll_into_view_if_needed()
    return bool(widget.locator("video").first.evaluate(VIDEO_HAS_PICTURE))
