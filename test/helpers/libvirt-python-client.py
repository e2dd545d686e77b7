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

# The serial console through a virStream: prompt, typed line echoed, finish.
st = conn.newStream(0)
dom.openConsole(None, st, 0)
seen = b""
while b"login: " not in seen:
    seen += st.recv(1024)
st.send(b"root\r")
while b"root\r\n" not in seen:
    seen += st.recv(1024)
st.finish()
out["console"] = seen.decode("latin1")

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

dom.shutdown()
out["afterShutdown"] = dom.state()
dom.create()
dom.destroy()
dom.undefine()
# Events are delivered in order by the event loop thread: waiting for the last one is enough.
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    with lock:
        if any(e[1:] == [libvirt.VIR_DOMAIN_EVENT_UNDEFINED, libvirt.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED] for e in events):
            break
    time.sleep(0.01)
out["afterUndefine"] = [d.name() for d in conn.listAllDomains(0)]
conn.domainEventDeregisterAny(cb_life)
conn.domainEventDeregisterAny(cb_reboot)
with lock:
    out["events"] = list(events)
with open(xml_path) as f:
    transient = conn.createXML(f.read(), 0)
out["transient"] = [transient.isPersistent(), transient.isActive()]
transient.destroy()
out["afterTransient"] = conn.numOfDomains() + conn.numOfDefinedDomains()
conn.close()
stop.set()
print(json.dumps(out))
