#!/usr/bin/env python3
"""cdp_page.py: opens one page in headless Chromium through the DevTools
protocol (a minimal WebSocket client on the standard library: no package to
install) and prints one JSON line: the console messages and log entries, the
requests the page made and those that failed, the load time measured by the
page's own Navigation Timing, and a screenshot written to a file.

usage: cdp_page.py CHROMIUM URL SCREENSHOT.png [WIDTH HEIGHT]
Used by tests/cli/test_report_browser.sh; exits 2 when the browser cannot be
driven (the test then fails, it does not skip)."""
import base64, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request


class WS:
    """Just enough RFC 6455 for text frames to and from a local browser."""

    def __init__(self, url):
        host, rest = url[len("ws://"):].split("/", 1)
        h, p = host.split(":")
        self.s = socket.create_connection((h, int(p)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("no websocket upgrade: " + head.decode(errors="replace"))
        self.buf = b""

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                               bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                               bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise RuntimeError("browser closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        msg = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            msg += self._read(n)
            if b0 & 0x80:
                return json.loads(msg)


def main():
    chrome, url, shot = sys.argv[1:4]
    w, h = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (1100, 2400)
    prof = tempfile.mkdtemp(prefix="cdp_page.")
    proc = subprocess.Popen([chrome, "--headless", "--no-sandbox", "--disable-gpu",
                             "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync",
                             "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
                             f"--user-data-dir={prof}", "--remote-debugging-port=0",
                             f"--window-size={w},{h}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(prof, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                break
            time.sleep(0.1)
        port = open(port_file).read().split("\n")[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        ws = WS([p for p in pages if p["type"] == "page"][0]["webSocketDebuggerUrl"])
        seq = [0]

        def call(method, **params):
            seq[0] += 1
            ws.send({"id": seq[0], "method": method, "params": params})
            return seq[0]

        def call_wait(method, **params):  # before the page exists: nothing else comes
            i = call(method, **params)
            while ws.recv().get("id") != i:
                pass

        for m in ("Page.enable", "Network.enable", "Runtime.enable", "Log.enable"):
            call_wait(m)
        # the viewport, and so the screenshot, exactly w x h
        call_wait("Emulation.setDeviceMetricsOverride", width=w, height=h, deviceScaleFactor=1,
                  mobile=False)
        nav = call("Page.navigate", url=url)
        console, failed, requests, loaded, t_end = [], [], [], False, None
        while True:
            if loaded:  # wait out late messages, then stop listening
                left = t_end - time.time()
                if left <= 0:
                    break
                ws.s.settimeout(left)
            try:
                ev = ws.recv()
            except socket.timeout:
                break
            m = ev.get("method", "")
            p = ev.get("params", {})
            if m == "Runtime.consoleAPICalled":
                console.append(" ".join(str(a.get("value", a.get("description", "")))
                                        for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                console.append("exception: " + p["exceptionDetails"].get("text", ""))
            elif m == "Log.entryAdded":
                console.append(p["entry"].get("level", "") + ": " + p["entry"].get("text", ""))
            elif m == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
            elif m == "Network.loadingFailed":
                failed.append(p.get("errorText", "") + " " + p.get("requestId", ""))
            elif m == "Page.loadEventFired":
                loaded, t_end = True, time.time() + 0.5  # late messages still count
            if ev.get("id") == nav and "error" in ev:
                raise RuntimeError(str(ev["error"]))
        ws.s.settimeout(30)
        timing = call("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({load: performance.timing.loadEventEnd - performance.timing.navigationStart,"
            " dom: performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart})"))
        shot_id = call("Page.captureScreenshot", format="png")
        result = {}
        while len(result) < 2:
            ev = ws.recv()
            if ev.get("id") == timing:
                result["timing"] = json.loads(ev["result"]["result"]["value"])
            elif ev.get("id") == shot_id:
                with open(shot, "wb") as f:
                    f.write(base64.b64decode(ev["result"]["data"]))
                result["shot"] = shot
        # the page's own URL is its one request
        own = [r for r in requests if r != url]
        print(json.dumps({"console": console, "failed": failed, "requests": own,
                          "load_ms": result["timing"]["load"], "dom_ms": result["timing"]["dom"]}))
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line, and the test fails on it
        print(json.dumps({"driver_error": str(e)}))
        sys.exit(2)
