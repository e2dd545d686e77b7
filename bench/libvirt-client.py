#!/usr/bin/python3
# The one python-libvirt client both daemons are measured with (bench/daemon-vs-libvirtd.ts).
# Prints one JSON object. Time is measured here, on an open connection, so that starting
# python and connecting stay out of the figures.
#
#   libvirt-client.py URI define TEMPLATE_FILE PREFIX COUNT   define PREFIX-0..COUNT-1
#   libvirt-client.py URI rate NAME SECONDS                   lookupByName(NAME).info() loop
#   libvirt-client.py URI list RUNS                           listAllDomains() RUNS times
#   libvirt-client.py URI start NAME RUNS                     create() then destroy(), RUNS times
import json
import sys
import time

import libvirt


def main():
    uri, mode, *args = sys.argv[1:]
    conn = libvirt.open(uri)
    try:
        if mode == "define":
            template_file, prefix, count = args[0], args[1], int(args[2])
            with open(template_file) as f:
                template = f.read()
            for index in range(count):
                conn.defineXML(template.replace("@NAME@", "%s-%d" % (prefix, index)))
            result = {"defined": count}
        elif mode == "rate":
            name, seconds = args[0], float(args[1])
            for _ in range(200):  # warm-up
                conn.lookupByName(name).info()
            calls = 0
            start = time.perf_counter()
            deadline = start + seconds
            while True:
                for _ in range(50):
                    conn.lookupByName(name).info()
                calls += 50
                now = time.perf_counter()
                if now >= deadline:
                    break
            result = {"calls": calls, "seconds": now - start}
        elif mode == "list":
            runs = int(args[0])
            times = []
            count = 0
            for _ in range(runs):
                start = time.perf_counter()
                domains = conn.listAllDomains(0)
                times.append((time.perf_counter() - start) * 1000)
                count = len(domains)
            result = {"times_ms": times, "count": count}
        elif mode == "start":
            name, runs = args[0], int(args[1])
            dom = conn.lookupByName(name)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                dom.create()
                times.append((time.perf_counter() - start) * 1000)
                dom.destroy()
            result = {"times_ms": times}
        else:
            raise SystemExit("unknown mode %r" % mode)
    finally:
        conn.close()
    print(json.dumps(result))


main()
