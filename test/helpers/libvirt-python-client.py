#!/usr/bin/python3
# Drives the daemon through Debian's python3-libvirt, unchanged, the way a user script
# would; prints one JSON object of what it saw for the test to check.
# Usage: libvirt-python-client.py URI RO_URI XML_FILE
import json, sys, threading, time
import libvirt

uri, ro_uri, xml_path = sys.argv[1:4]
out = {}

libvirt.virEventRegisterDefaultImpl()
stop = threading.Event()

def loop():
    while not stop.is_set():
        libvirt.virEventRunDefaultImpl()

threading.Thread(target=loop, daemon=True).start()

conn = libvirt.open(uri)
out["type"] = conn.getType()
out["version"] = conn.getVersion()
out["hostname"] = conn.getHostname()
out["uri"] = conn.getURI()
out["nodeinfo"] = conn.getInfo()
out["isSecure"] = conn.isSecure()
out["libVersion"] = conn.getLibVersion()

events = []
lock = threading.Lock()
def on_lifecycle(_conn, dom, event, detail, _opaque):
    with lock:
        events.append([dom.name(), event, detail])
def on_reboot(_conn, dom, _opaque):
    with lock:
        events.append([dom.name(), "reboot"])
cb_life = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
cb_reboot = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, on_reboot, None)

with open(xml_path) as f:
    dom = conn.defineXML(f.read())
out["defined"] = [dom.name(), dom.UUIDString(), dom.ID()]
out["listAll"] = sorted(d.name() for d in conn.listAllDomains(0))
out["inactive"] = conn.listDefinedDomains()
dom.create()
out["idAfterStart"] = dom.ID()
out["info"] = dom.info()
out["state"] = dom.state()
out["isActive"] = dom.isActive()
out["isPersistent"] = dom.isPersistent()
out["autostart"] = dom.autostart()
out["osType"] = dom.OSType()
out["maxMemory"] = dom.maxMemory()
out["activeIds"] = conn.listDomainsID()
out["numOfDomains"] = conn.numOfDomains()
out["xmlHasId"] = "id='%d'" % dom.ID() in dom.XMLDesc(0)
out["lookupById"] = conn.lookupByID(dom.ID()).name()
out["lookupByUUID"] = conn.lookupByUUIDString(dom.UUIDString()).name()
dom.suspend()
out["pausedState"] = dom.state()
dom.resume()
dom.reboot(0)
dom.setAutostart(1)
out["autostartAfter"] = dom.autostart()

try:
    conn.lookupByName("no-such-domain")
    out["missing"] = None
except libvirt.libvirtError as e:
    out["missing"] = [e.get_error_code(), str(e)]

ro = libvirt.openReadOnly(ro_uri)
rodom = ro.lookupByName(dom.name())
out["roState"] = rodom.state()
try:
    rodom.destroy()
    out["roDestroy"] = None
except libvirt.libvirtError as e:
    out["roDestroy"] = [e.get_error_code(), str(e)]
ro.close()

dom.destroy()
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    with lock:
        if any(e[1:] == [libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED] for e in events):
            break
    time.sleep(0.01)
dom.undefine()
out["afterUndefine"] = [d.name() for d in conn.listAllDomains(0)]
conn.domainEventDeregisterAny(cb_life)
conn.domainEventDeregisterAny(cb_reboot)
with lock:
    out["events"] = list(events)
conn.close()
stop.set()
print(json.dumps(out))
