#!/usr/bin/python3
# Runs a command in a pseudo-terminal and follows a script, for tests of interactive
# programs (virsh console). Usage: pty-run.py SCRIPT_JSON CMD ARGS...
# SCRIPT_JSON is a list of steps: {"expect": TEXT} waits until TEXT has appeared in the output
# after the previous expectation, {"send": TEXT} types TEXT, {"run": [CMD, ARGS...]} runs another
# command to completion (e.g. to stop the domain under the console), {"wait_raw": true} waits
# until the program has put its terminal in raw mode (virsh console does so with TCSAFLUSH,
# which drops whatever was typed before). Each step has a deadline.
# Prints one JSON object: {"output": all output, "status": exit status or null, "error": …}.
import json, os, pty, select, signal, subprocess, sys, termios, time

STEP_TIMEOUT = 10.0

def main():
    script = json.loads(sys.argv[1])
    argv = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    output = b""
    seen = 0
    error = None

    def read_some(deadline):
        nonlocal output
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.2))
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return None
            if not data:
                return None
            output += data
        return True

    def terminal_is_raw():
        # The child's stdin is the pty's slave side; its line discipline settings say whether
        # the program has left canonical mode.
        try:
            slave = os.open("/proc/%d/fd/0" % pid, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return False
        try:
            return termios.tcgetattr(slave)[3] & termios.ICANON == 0
        finally:
            os.close(slave)

    for step in script:
        if "wait_raw" in step:
            deadline = time.monotonic() + STEP_TIMEOUT
            while not terminal_is_raw():
                if read_some(min(deadline, time.monotonic() + 0.01)) is None or time.monotonic() > deadline:
                    error = "the terminal never became raw"
                    break
            if error is not None:
                break
            continue
        if "send" in step:
            os.write(fd, step["send"].encode("latin1"))
            continue
        if "run" in step:
            subprocess.run(step["run"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=STEP_TIMEOUT, check=False)
            continue
        wanted = step["expect"].encode("latin1")
        deadline = time.monotonic() + STEP_TIMEOUT
        while output.find(wanted, seen) == -1:
            state = read_some(deadline)
            if state is None:
                break
            if state is False:
                error = "timed out waiting for %r" % step["expect"]
                break
        if error is not None or output.find(wanted, seen) == -1:
            error = error or "output ended before %r" % step["expect"]
            break
        seen = output.find(wanted, seen) + len(wanted)

    status = None
    deadline = time.monotonic() + STEP_TIMEOUT
    if error is not None:
        os.kill(pid, signal.SIGKILL)
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            error = error or "the program did not exit"
            break
        if read_some(time.monotonic() + 0.2) is None:
            time.sleep(0.01)
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 0)
            if not ready:
                break
            data = os.read(fd, 4096)
            if not data:
                break
            output += data
    except OSError:
        pass
    os.close(fd)
    print(json.dumps({"output": output.decode("latin1"), "status": status, "error": error}))

main()
