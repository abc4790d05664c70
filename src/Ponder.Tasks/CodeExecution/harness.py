"""Ponder's in-sandbox test harness (run by PythonSandbox inside bubblewrap; never run it elsewhere).

Protocol: argv[1] is a JSON spec {"program", "setup", "tests": [{"name", "source"}], "limits": {...}}; the first
32 bytes of stdin are a nonce, and stdin stays open until the run ends. The harness sets the resource limits on itself (children inherit them), then executes the
program, the setup and each test in order in one namespace, as HumanEval's and MBPP's harnesses do, stopping at the
first exception. The program's own stdout is redirected to stderr, so the original stdout carries exactly one line:
"<nonce> <json verdict>". A program that exits early (sys.exit, os._exit) never prints that line, so it cannot pass by
accident; the nonce only guards against accidents, since the program shares this process.
"""
import json
import os
import resource
import sys
import threading
import traceback


def set_limits(limits):
    cpu = limits["cpu_seconds"]
    # SIGXCPU at the soft limit kills (its default action); the hard limit's SIGKILL one second later catches a
    # program that ignores SIGXCPU.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def watch_lifeline(fd):
    """Ponder keeps stdin open for the whole run; end of file means Ponder died, so end the run with it (the PID
    namespace then dies with this process). A parent-death signal would not do: it fires when the thread that started
    the process exits, and .NET starts processes from pool threads that come and go."""
    while os.read(fd, 4096):
        pass
    os._exit(121)


def failure_site(error, sources):
    """The innermost traceback frame in the program, setup or a test: (file, line number, source line)."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        lines = sources.get(frame.filename)
        if lines is not None:
            text = lines[frame.lineno - 1].strip() if frame.lineno and 0 < frame.lineno <= len(lines) else None
            return frame.filename, frame.lineno, text
    return None, None, None


def main():
    # Descriptors Ponder's own parent left inheritable reach this process through bubblewrap; the program must not
    # get them (one could be the write end of a host pipe).
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    nonce = os.read(0, 64).decode().strip()
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    verdict_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    lifeline = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    threading.Thread(target=watch_lifeline, args=(lifeline,), daemon=True).start()
    set_limits(spec["limits"])

    harness_pid = os.getpid()

    def report(**fields):
        # A child the program forked inherits this code; only the harness itself may give the verdict.
        if os.getpid() != harness_pid:
            os._exit(1)
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        fields["cpu_seconds"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
        fields["max_rss_kib"] = max(own.ru_maxrss, children.ru_maxrss)
        sys.stdout.flush()
        sys.stderr.flush()
        verdict_out.write(nonce + " " + json.dumps(fields) + "\n")
        verdict_out.flush()

    units = [("program", "<program>", spec["program"])]
    if spec["setup"]:
        units.append(("setup", "<setup>", spec["setup"]))
    units += [(test["name"], "<test %d>" % (i + 1), test["source"]) for i, test in enumerate(spec["tests"])]
    sources = {filename: source.splitlines() for _, filename, source in units}

    # Not "__main__": HumanEval's and MBPP's harnesses exec into a fresh dict, where an example-usage block under
    # `if __name__ == "__main__":` (which chat models append, often reading input()) does not run.
    namespace = {"__name__": "__program__", "__builtins__": __builtins__}
    passed = 0
    for index, (name, filename, source) in enumerate(units):
        try:
            exec(compile(source, filename, "exec"), namespace)
        except BaseException as error:  # SystemExit too: a program that exits has not passed its tests
            where, line_number, line = failure_site(error, sources)
            report(status="memory" if isinstance(error, MemoryError) else "failed",
                   unit=name, is_test=index >= len(units) - len(spec["tests"]), passed=passed,
                   file=where, line_number=line_number, line=line,
                   error=traceback.format_exception_only(type(error), error)[-1].strip())
            os._exit(1)
        if index >= len(units) - len(spec["tests"]):
            passed += 1
    report(status="passed", passed=passed)
    os._exit(0)


main()
