#!/usr/bin/python3
# The seed's workflow through Debian's python3-libvirt, unchanged, against virtfcd and the fc
# driver: what a user's script does. Prints one JSON object of what it saw.
# Usage: libvirt-python-workflow.py URI RO_URI XML_FILE
import json, sys, threading, time
import libvirt

uri, ro_uri, xml_path = sys.argv[1:4]
out = {}
DEADLINE = 15.0

libvirt.virEventRegisterDefaultImpl()
stop = threading.Event()

def loop():
    while not stop.is_set():
        libvirt.virEventRunDefaultImpl()

threading.Thread(target=loop, daemon=True).start()

def wait_until(what, check):
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for " + what)
        time.sleep(0.01)

def refused(call):
    try:
        call()
        return None
    except libvirt.libvirtError as e:
        return [e.get_error_code(), str(e)]

conn = libvirt.open(uri)
out["type"] = conn.getType()
out["version"] = conn.getVersion()
events = []
lock = threading.Lock()
def on_lifecycle(_conn, dom, event, detail, _opaque):
    with lock:
        events.append([dom.name(), event, detail])
cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)

with open(xml_path) as f:
    dom = conn.defineXML(f.read())
out["defined"] = [dom.name(), dom.ID(), dom.isPersistent(), dom.isActive()]
out["listAll"] = [[d.name(), d.state()] for d in conn.listAllDomains(0)]
dom.create()
out["started"] = [dom.ID(), dom.state(), dom.isActive()]
info = dom.info()
out["info"] = [info[0], info[1], info[2], info[3], info[4] > 0]
out["xmlHasId"] = ("<domain type='firecracker' id='%d'>" % dom.ID()) in dom.XMLDesc(0)
out["inactiveXmlHasId"] = "id=" in dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE).split("\n")[0]

# The serial console through a virStream: Enter gives a prompt, a typed line is echoed and run.
st = conn.newStream(0)
dom.openConsole(None, st, 0)
seen = b""
st.send(b"\r")
while b"fcguest# " not in seen:
    seen += st.recv(1024)
st.send(b"echo hello from python\r")
while b"hello from python\r\nfcguest# " not in seen:
    seen += st.recv(1024)
st.finish()
out["console"] = seen.decode("latin1")

dom.suspend()
out["paused"] = dom.state()
dom.resume()
out["resumed"] = dom.state()

ro = libvirt.openReadOnly(ro_uri)
rodom = ro.lookupByName(dom.name())
out["roState"] = rodom.state()
out["roDestroy"] = refused(rodom.destroy)
out["roDefine"] = refused(lambda: ro.defineXML(open(xml_path).read()))
ro.close()

dom.shutdown()
wait_until("the guest to shut down", lambda: dom.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF)
out["afterShutdown"] = dom.state()
dom.create()
dom.destroy()
out["afterDestroy"] = dom.state()
dom.undefine()
out["missing"] = refused(lambda: conn.lookupByName(dom.name()))
wait_until("the undefine event", lambda: any(e[1] == libvirt.VIR_DOMAIN_EVENT_UNDEFINED for e in events))
conn.domainEventDeregisterAny(cb)
with lock:
    out["events"] = list(events)
conn.close()
stop.set()
print(json.dumps(out))
