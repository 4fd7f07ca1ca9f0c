"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol, for the report test.

Chromium runs with no network features (the flags below), a temporary profile, and its DevTools
endpoint on a port it picks itself on loopback (read back from DevToolsActivePort). One page is
driven through its WebSocket with the `websockets` package: every console message, uncaught
exception, log entry and network request is recorded.

    with Chromium(tmp_path) as browser:
        page = browser.open("file:///.../report.html")
        page.evaluate("document.title"); page.screenshot("shot.png")
        page.errors()  # console errors, exceptions, error log entries

Run as a script to take the README's picture of a report:
    python tests/python/pipeline/chromium_cdp.py REPORT.html OUT.png [MAX_HEIGHT]
"""
import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]


def chromium_path():
    """Debian's chromium, installed with apt-get when it is missing."""
    path = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
    if not path:
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "chromium"],
                       check=True, stdout=subprocess.DEVNULL)
        path = shutil.which("chromium") or "/usr/bin/chromium"
    return path


class Page:
    def __init__(self, ws_url, timeout=60):
        from websockets.sync.client import connect
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(ws_url, max_size=None, open_timeout=timeout))
        self.timeout = timeout
        self.next_id = 0
        self.events = []
        for method in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
            self.call(method)

    def call(self, method, **params):
        """Sends a command and waits for its reply; events that arrive meanwhile are kept."""
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = len(self.events)
        while True:
            for e in self.events[seen:]:
                if e["method"] == method:
                    return e
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} within the time limit")
            try:
                msg = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                raise TimeoutError(f"no {method} within the time limit") from None
            if "method" in msg:
                self.events.append(msg)

    def navigate(self, url):
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression):
        """The value of a JavaScript expression (JSON-able), awaiting promises."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate: {r['exceptionDetails']}")
        return r["result"].get("value")

    def errors(self):
        """Console errors and assertions, uncaught exceptions and error log entries."""
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                  for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: " + str(d.get("exception", {}).get("description")
                                               or d.get("text")))
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append("log: " + p["entry"].get("text", ""))
        return out

    def requests(self):
        """URLs of every network request the page made."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path, width=1280, max_height=None):
        """A PNG of the whole page (or its top max_height CSS pixels)."""
        metrics = self.call("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"])
        if max_height:
            height = min(height, max_height)
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        time.sleep(0.5)  # let responsive charts settle to the new size
        shot = self.call("Page.captureScreenshot", format="png",
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path

    def close(self):
        self._stack.close()


class Chromium:
    def __init__(self, workdir=None):
        self.workdir = workdir
        self.proc = None

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(dir=self.workdir, prefix="chromium-")
        profile = os.path.join(self._tmp.name, "profile")
        self.log = open(os.path.join(self._tmp.name, "stderr.log"), "wb")
        self.proc = subprocess.Popen([chromium_path(), *FLAGS, f"--user-data-dir={profile}",
                                      "--window-size=1280,900", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode}: "
                                   f"{open(self.log.name, errors='replace').read()[-2000:]}")
            if os.path.exists(port_file):
                lines = open(port_file).read().split()
                if len(lines) >= 2:
                    self.port = int(lines[0])
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port")
            time.sleep(0.1)
        return self

    def open(self, url):
        """Drives the first page: navigates to url, returns the Page once it loaded."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=30) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        page = Page(targets[0]["webSocketDebuggerUrl"])
        page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)
        page.navigate(url)
        return page

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self._tmp.cleanup()


if __name__ == "__main__":
    report, png = os.path.abspath(sys.argv[1]), sys.argv[2]
    with Chromium() as browser:
        p = browser.open("file://" + report)
        time.sleep(1)
        p.screenshot(png, max_height=int(sys.argv[3]) if len(sys.argv) > 3 else None)
        errors = p.errors()
        p.close()
    if errors:
        sys.exit("page errors: " + "; ".join(errors))
    print(png)
