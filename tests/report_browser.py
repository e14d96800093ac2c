#!/usr/bin/python3
"""The HTML report in a real browser (Debian's headless Chromium), for the seed and the short
example: the file references no URL, every chart renders as an SVG with no console error, and a
screenshot is not blank.

    report_browser.py THESIS SOURCE_DIR [CHROMIUM] [--screenshot PNG]

--screenshot keeps the seed's screenshot (the README's picture, docs/report.png)."""

import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib


def fail(message):
    print("FAIL", message)
    sys.exit(1)


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG, unfiltered (PNG spec §9)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = header[:4]
    if depth != 8 or color not in (2, 6):
        fail(f"unexpected PNG format: depth {depth}, colour type {color}")
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + predictor) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def check_screenshot(path):
    width, height, channels, rows = png_pixels(path)
    colours, ink, seen = set(), 0, 0
    for y in range(0, height, 4):
        row = rows[y]
        for x in range(0, width, 4):
            pixel = tuple(row[x * channels:x * channels + 3])
            colours.add(pixel)
            seen += 1
            ink += pixel != (255, 255, 255)
    # A blank page is one colour; charts draw many, and cover a fair share of the page.
    if len(colours) < 20 or ink < seen // 50:
        fail(f"{path}: looks blank ({len(colours)} colours, {ink} of {seen} sampled pixels not white)")
    return len(colours), ink / seen


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--screenshot")]
    keep = None
    for i, a in enumerate(sys.argv):
        if a == "--screenshot" and i + 1 < len(sys.argv):
            keep = sys.argv[i + 1]
            args = [x for x in args if x != keep]
    thesis, source = args[0], args[1]
    chromium = args[2] if len(args) > 2 else "chromium"
    work = tempfile.mkdtemp(prefix="thesis-report-")
    checked = 0
    for name, file in (("seed", None), ("short", os.path.join(source, "scenarios", "coastal-coffee-short.yaml"))):
        html = os.path.join(work, name + ".html")
        command = [thesis, "report", "-o", html, "--paths", "20000", "-q"] + ([file] if file else [])
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{' '.join(command)}: exit {run.returncode}: {run.stderr}")
        text = open(html, encoding="utf-8").read()
        links = re.findall(r"""(?:src|href)\s*=\s*["']?\s*https?:""", text, re.IGNORECASE)
        if links:
            fail(f"{name}: the report references a URL: {links[:3]}")
        charts = re.findall(r'<div class="chart" id="(chart-[^"]+)"', text)
        if len(charts) < 5:
            fail(f"{name}: only {len(charts)} charts")
        browser = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   "--enable-logging=stderr", "--v=0", "--virtual-time-budget=20000"]
        dom = subprocess.run(browser + ["--dump-dom", "file://" + html], capture_output=True, text=True, timeout=120)
        if dom.returncode != 0:
            fail(f"{name}: chromium exit {dom.returncode}: {dom.stderr[-2000:]}")
        page = dom.stdout
        errors = re.search(r'<pre id="errors">(.*?)</pre>', page, re.S)
        if errors is None or errors.group(1).strip():
            fail(f"{name}: errors in the page: {errors.group(1) if errors else 'no #errors element'}")
        console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "rror" in l)]
        if console:
            fail(f"{name}: console errors: {console[:3]}")
        rendered = re.search(r'data-rendered="(\d+)"', page)
        if not rendered or int(rendered.group(1)) != len(charts):
            fail(f"{name}: rendered {rendered.group(1) if rendered else 'nothing'} of {len(charts)} charts")
        for chart in charts:
            block = re.search(r'id="' + re.escape(chart) + r'"(.*?)</figure>', page, re.S)
            if not block or not re.search(r"<(svg|canvas)\b", block.group(1)):
                fail(f"{name}: {chart} has no SVG or canvas")
        png = os.path.join(work, name + ".png")
        shot = subprocess.run(browser + ["--window-size=1100,1700", "--screenshot=" + png, "file://" + html],
                              capture_output=True, text=True, timeout=120)
        if shot.returncode != 0 or not os.path.exists(png):
            fail(f"{name}: no screenshot: {shot.stderr[-2000:]}")
        colours, share = check_screenshot(png)
        if keep and name == "seed":
            os.replace(png, keep)
        print(f"ok {name}: {len(charts)} charts rendered as SVG, no console error, no URL, "
              f"{len(text) // 1024} KB, screenshot {colours} colours, {share:.0%} ink")
        checked += 1
    # The sweep's and the sensitivity's pages (--report): their charts render too.
    for name, command in (
            ("sweep-1d", ["sweep", "--set", "plans.aggressive.stop=550:650:50", "--metric",
                          "aggressive.p_stop,aggressive.pnl_per_share", "--paths", "1000"]),
            ("sweep-2d", ["sweep", "--set", "plans.aggressive.stop=550,650", "--set", "model.volatility=30%,50%",
                          "--metric", "aggressive.pnl_per_share", "--paths", "1000"]),
            ("tornado", ["sensitivity", "--metric", "valuation.expected_price"])):
        html = os.path.join(work, name + ".html")
        run = subprocess.run([thesis] + command + ["--report", html, "-q"], capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"{name}: exit {run.returncode}: {run.stderr}")
        charts = re.findall(r'<div class="chart" id="(chart-[^"]+)"', open(html, encoding="utf-8").read())
        page = subprocess.run(browser + ["--dump-dom", "file://" + html], capture_output=True, text=True,
                              timeout=120).stdout
        errors = re.search(r'<pre id="errors">(.*?)</pre>', page, re.S)
        rendered = re.search(r'data-rendered="(\d+)"', page)
        if not charts or (errors and errors.group(1).strip()) or not rendered or int(rendered.group(1)) != len(charts):
            fail(f"{name}: {len(charts)} charts, rendered {rendered.group(1) if rendered else 'none'}, "
                 f"errors: {errors.group(1) if errors else '?'}")
        print(f"ok {name}: {len(charts)} charts rendered")
        checked += 1
    print(f"report_browser: {checked} reports checked")


if __name__ == "__main__":
    main()
