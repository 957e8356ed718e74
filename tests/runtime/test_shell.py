"""The small /bin/sh that shell images run."""

from kernelsim.runtime.cri import ContainerFS, FileStore
from kernelsim.runtime.shell import Shell


class IO:
    def __init__(self):
        self.fs = ContainerFS(FileStore({"etc/hostname": "web\n"}), [])
        self.fs.mkdir("/tmp")
        self.env = {"HOME": "/root"}
        self.lines = []
        self.hostname = "web"

    def log(self, line, stream="stdout"):
        self.lines.append(line)

    def wall(self):
        import datetime
        return datetime.datetime(2026, 11, 26, 9, 0, 5, tzinfo=datetime.timezone.utc)

    def fetch(self, url, timeout):
        return 0, "", "bad address 'nowhere'"


def run(script):
    io = IO()
    gen = Shell(io).run_script(script)
    sleeps = []
    try:
        while True:
            sleeps.append(next(gen))
    except StopIteration as stop:
        return stop.value, io.lines, sleeps


def test_sequences_loops_and_variables():
    status, lines, sleeps = run('for i in 1 2 3; do echo "n=$i"; sleep 1; done; X=$((2*21)); echo $X; exit 4')
    assert lines == ["n=1", "n=2", "n=3", "42"] and status == 4
    assert sleeps == [(1.0, True)] * 3


def test_conditions_files_and_redirections():
    status, lines, _ = run("touch /tmp/a && echo yes || echo no; [ -f /tmp/b ] || echo missing; "
                           "echo one > /tmp/b; echo two >> /tmp/b; cat /tmp/b | wc -l; rm -f /tmp/b; "
                           "if [ -f /tmp/b ]; then echo still; else echo gone; fi")
    assert lines == ["yes", "missing", "2", "gone"] and status == 0


def test_command_substitution_date_hostname_and_errors():
    status, lines, _ = run("echo $(hostname) at $(date); nosuchcmd; echo $?; wget -qO- http://nowhere/")
    assert lines == ["web at Thu Nov 26 09:00:05 UTC 2026", "sh: nosuchcmd: not found", "127",
                     "wget: bad address 'nowhere'"]
    assert status == 1
