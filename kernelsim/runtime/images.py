"""Container images as simulated programs (what containerd would unpack and run).

An image reference is normalised the way containerd's reference/docker package does
(``nginx`` -> ``docker.io/library/nginx:latest``).  Whether an image exists follows one
documented rule, so that learners can trigger ``ErrImagePull`` on purpose:

* the repository must be in the catalogue below: the images the course uses
  (nginx, httpd, redis, busybox, ...), popular official images (postgres, mysql, python,
  alpine, ubuntu, ...), the control-plane and addon images, and ``kernelsim/*`` test
  images.  Any other repository does not exist ("pull access denied");
* the tag must look like a real tag: ``latest``, a version (``1.27``, ``v1.37.0``,
  ``3.6.4-0``), a variant word (``alpine``, ``slim``, ``bookworm``, ``stable``, ...)
  or versions and variants joined by ``-`` (``1.27-alpine``).  Anything else
  (``nginx:doesnotexist``, ``nginx:lates``) is "not found".  A digest is always fine.

Each image runs a :class:`Program`: behaviour over time, log lines, open ports, handlers
for HTTP/TCP/gRPC/exec (probes and traffic) and CPU/memory usage for metrics.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from .shell import FOREVER, Shell

Mi = 1024 * 1024


class ImageNotFound(Exception):
    """A pull that fails; ``str()`` is containerd's error text as the kubelet shows it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# References (github.com/distribution/reference, as containerd normalises them).

@dataclass(frozen=True)
class Reference:
    domain: str
    path: str
    tag: str = ""
    digest: str = ""

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def name(self) -> str:
        """The fully qualified reference: docker.io/library/nginx:latest."""
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return f"{self.repository}:{self.tag or 'latest'}"


def parse_reference(image: str) -> Reference:
    name, _, digest = image.partition("@")
    tag = ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = name.rsplit(":", 1)
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        domain, path = first, rest
    else:
        domain, path = "docker.io", name
    if domain == "docker.io" and "/" not in path:
        path = "library/" + path
    if not tag and not digest:
        tag = "latest"
    return Reference(domain, path, tag, digest)


_TAG_WORDS = {"latest", "stable", "mainline", "alpine", "slim", "bookworm", "bullseye", "buster", "trixie",
              "jammy", "noble", "focal", "musl", "glibc", "uclibc", "perl", "otel", "lts", "management", "debian",
              "ubuntu", "distroless", "nonroot", "static", "fpm", "apache", "server", "jdk", "jre", "edge",
              "windowsservercore", "nanoserver", "git", "dind", "cli", "rootless", "oracle", "pg", "community"}
_VERSION = re.compile(r"^v?\d+(\.\d+)*([a-z]+\d*)?(\+[\w.]+)?$")


def tag_exists(tag: str) -> bool:
    """The rule for tags (see the module docstring)."""
    if not tag:
        return True
    parts = tag.lower().split("-")
    for p in parts:
        if not p:
            return False
        if p in _TAG_WORDS or _VERSION.match(p) or re.match(r"^[0-9a-f]{7,40}$", p):
            continue  # a word, a version or a commit
        if re.match(r"^[a-z]+\d+(\.\d+)*$", p) and re.sub(r"\d.*", "", p) in _TAG_WORDS | {"r", "rc", "beta"}:
            continue  # alpine3.22, rc1
        return False
    return True


# ---------------------------------------------------------------------------
# Programs: what runs inside a container.

@dataclass
class HTTPRequest:
    method: str
    path: str
    port: int
    client_ip: str = ""
    user_agent: str = "kube-probe/1.37"
    headers: dict | None = None


@dataclass
class HTTPResponse:
    status: int
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"
    delay: float = 0.0  # seconds before the answer comes (a probe timeout when too slow)

    @property
    def headers(self) -> dict:
        return {"Content-Type": self.content_type, "Content-Length": str(len(self.body.encode()))}


class Program:
    """The base program: runs until stopped, no ports, little CPU and memory.

    ``ctx`` is the runtime's process context (see ``cri.ProcessContext``): ``log()``,
    ``exit()``, ``call_later()``, ``fs``, ``env``, ``command``, ``args``, ``fetch()``,
    ``set_memory()``, ``wall()`` and ``rng``.
    """

    #: port -> protocol name ("http", "https", "tcp", "grpc", "udp")
    ports: dict[int, str] = {}
    cpu_millicores = 1.0
    memory_bytes = 2 * Mi
    stop_signal = "SIGTERM"
    #: seconds the program needs to exit after its stop signal (None: ignores it)
    shutdown_seconds: float | None = 0.1
    exit_code_on_stop = 0

    def __init__(self, ctx, image: "Image"):
        self.ctx = ctx
        self.image = image
        self.memory = self.memory_bytes
        self.requests = 0

    # behaviour ------------------------------------------------------------------
    def image_files(self) -> dict[str, str]:
        """Files the image ships (path -> content), under any volumes mounted over them."""
        return {}

    def start(self) -> None:
        """Called when the container starts."""

    def stop(self, signal: str) -> None:
        """The runtime delivers the stop signal (SIGTERM, or the image's STOPSIGNAL)."""
        if self.shutdown_seconds is not None:
            self.ctx.call_later(self.shutdown_seconds, lambda: self.ctx.exit(self.exit_code_on_stop))

    # network and probes -----------------------------------------------------------
    def listening(self, port: int, protocol: str = "TCP") -> bool:
        kind = self.ports.get(port)
        if kind is None:
            return False
        return (kind == "udp") == (protocol.upper() == "UDP")

    def http(self, req: HTTPRequest) -> HTTPResponse | None:
        """An HTTP request to one of the program's ports; None: not an HTTP server."""
        return None

    def grpc_health(self, port: int, service: str) -> str:
        return "SERVING" if self.ports.get(port) == "grpc" else ""

    def exec(self, argv: list[str]) -> tuple[int, str]:
        """``kubectl exec`` / exec probes: a shell's commands against this container."""
        if not argv:
            return 126, ""
        name = argv[0].rsplit("/", 1)[-1]
        handler = getattr(self, "exec_" + name.replace("-", "_"), None)
        if handler is not None:
            return handler(argv[1:])
        sh = Shell(self.ctx, "sh")
        if name in ("sh", "bash", "ash") and len(argv) >= 3 and argv[1] == "-c":
            return sh.run_sync(argv[2])
        return sh.run_sync(" ".join(_quote(a) for a in argv))

    # metrics ------------------------------------------------------------------------
    def usage(self, now: float) -> tuple[float, int]:
        """(CPU in millicores, memory working set in bytes) at simulated time ``now``."""
        wobble = 1.0 + 0.15 * math.sin(now / 37.0 + self.ctx.phase)
        return self.cpu_millicores * wobble, int(self.memory)

    def log_http(self, req: HTTPRequest, resp: HTTPResponse) -> None:
        pass


def _quote(a: str) -> str:
    return a if re.match(r"^[\w@%+=:,./-]+$", a) else "'" + a.replace("'", "'\\''") + "'"


class ShellProgram(Program):
    """busybox, alpine, ubuntu...: runs ``command``/``args`` with the small shell.

    With no command the image's default (``sh``) runs, finds no terminal and exits 0,
    as ``kubectl run --image=busybox`` does in a real cluster (then CrashLoopBackOff).
    PID 1 ignores SIGTERM unless the script traps it, so the kubelet kills it after the
    grace period (exit code 137).
    """

    default_cmd: list[str] = ["sh"]
    shutdown_seconds = None
    memory_bytes = 1 * Mi // 2
    cpu_millicores = 0.0

    def start(self) -> None:
        argv = list(self.ctx.command or []) + list(self.ctx.args or [])
        if not self.ctx.command:
            argv = (self.default_cmd if not self.ctx.args else []) + list(self.ctx.args or [])
        self.shell = Shell(self.ctx, "sh")
        if argv and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and len(argv) >= 3 and argv[1] == "-c":
            self.gen = self.shell.run_script(argv[2])
        elif argv and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and len(argv) == 1:
            self.gen = self.shell.run_script("")  # no terminal: the shell reads EOF and exits 0
        else:
            self.gen = self.shell.run_argv(argv)
        self.step()

    def step(self) -> None:
        try:
            seconds, in_loop = next(self.gen)
        except StopIteration as stop:
            self.ctx.exit(stop.value if isinstance(stop.value, int) else 0)
            return
        if seconds == FOREVER:
            return
        # A sleep inside a loop is the program idling (housekeeping for settle());
        # a plain sleep leads somewhere (an exit), which is work the cluster expects.
        self.ctx.call_later(seconds, self.step, background=in_loop)

    def stop(self, signal: str) -> None:
        trap = getattr(self, "shell", None) and self.shell.traps.get(signal.removeprefix("SIG"))
        if trap:
            status, text = self.shell.run_sync(trap)
            for line in text.splitlines():
                self.ctx.log(line)
            self.ctx.call_later(0.05, lambda: self.ctx.exit(status if "exit" in trap else 143))

    def exec(self, argv: list[str]) -> tuple[int, str]:
        if argv and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and len(argv) >= 3 and argv[1] == "-c":
            sh = Shell(self.ctx, "sh")
            return sh.run_sync(argv[2])
        return super().exec(argv)


class NginxProgram(Program):
    ports = {80: "http"}
    cpu_millicores = 5.0
    memory_bytes = 10 * Mi
    stop_signal = "SIGQUIT"
    shutdown_seconds = 0.2
    html_root = "/usr/share/nginx/html"

    @property
    def version(self) -> str:
        tag = self.image.ref.tag
        m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", tag or "")
        if m:
            return f"{m.group(1)}.{m.group(2)}.{m.group(3) or '5'}"
        return "1.29.1"

    def image_files(self) -> dict[str, str]:
        return {self.html_root + "/index.html": NGINX_WELCOME,
                self.html_root + "/50x.html": "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n"
                                              "<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n"}

    def start(self) -> None:
        for line in (
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
            "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
            "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
            "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
        ):
            self.ctx.log(line)
        for line in ('using the "epoll" event method', f"nginx/{self.version}",
                     "built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1) ", "OS: Linux 6.8.0-79-generic",
                     "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
                     "start worker process 29", "start worker process 30"):
            self.ctx.log(f"{self._errlog_time()} [notice] 1#1: {line}", "stderr")

    def _errlog_time(self) -> str:
        return self.ctx.wall().strftime("%Y/%m/%d %H:%M:%S")

    def stop(self, signal: str) -> None:
        self.ctx.log(f"{self._errlog_time()} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down", "stderr")
        self.ctx.log(f"{self._errlog_time()} [notice] 29#29: gracefully shutting down", "stderr")
        self.ctx.log(f"{self._errlog_time()} [notice] 1#1: exit", "stderr")
        super().stop(signal)

    def http(self, req: HTTPRequest) -> HTTPResponse | None:
        if req.port not in self.ports:
            return None
        self.requests += 1
        path = req.path.split("?", 1)[0]
        if path.endswith("/"):
            path += "index.html"
        body = self.ctx.fs.read(self.html_root + path)
        if body is None:
            code, body = (403, _nginx_error(403, "Forbidden", self.version)) if path.endswith("/index.html") \
                else (404, _nginx_error(404, "Not Found", self.version))
            if code == 404:
                self.ctx.log(f'{self._errlog_time()} [error] 29#29: *{self.requests} open() '
                             f'"{self.html_root}{path}" failed (2: No such file or directory), client: '
                             f'{req.client_ip}, server: localhost, request: "{req.method} {req.path} HTTP/1.1", '
                             f'host: "{self.ctx.pod_ip}"', "stderr")
            resp = HTTPResponse(code, body, "text/html")
        else:
            resp = HTTPResponse(200, body, "text/html")
        self.log_http(req, resp)
        return resp

    def log_http(self, req: HTTPRequest, resp: HTTPResponse) -> None:
        t = self.ctx.wall().strftime("%d/%b/%Y:%H:%M:%S +0000")
        self.ctx.log(f'{req.client_ip} - - [{t}] "{req.method} {req.path} HTTP/1.1" {resp.status} '
                     f'{len(resp.body.encode())} "-" "{req.user_agent}" "-"')

    def usage(self, now: float) -> tuple[float, int]:
        cpu, mem = super().usage(now)
        return cpu + min(50.0, 0.2 * self.requests), mem


class HttpdProgram(Program):
    ports = {80: "http"}
    cpu_millicores = 3.0
    memory_bytes = 8 * Mi
    stop_signal = "SIGWINCH"
    shutdown_seconds = 0.3

    def image_files(self) -> dict[str, str]:
        return {"/usr/local/apache2/htdocs/index.html": "<html><body><h1>It works!</h1></body></html>\n"}

    def start(self) -> None:
        ip = self.ctx.pod_ip or "127.0.0.1"
        t = self.ctx.wall().strftime("%a %b %d %H:%M:%S.%f %Y")
        self.ctx.log(f"AH00558: httpd: Could not reliably determine the server's fully qualified domain name, "
                     f"using {ip}. Set the 'ServerName' directive globally to suppress this message", "stderr")
        self.ctx.log(f"AH00558: httpd: Could not reliably determine the server's fully qualified domain name, "
                     f"using {ip}. Set the 'ServerName' directive globally to suppress this message", "stderr")
        self.ctx.log(f"[{t}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured -- "
                     f"resuming normal operations", "stderr")
        self.ctx.log(f"[{t}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'", "stderr")

    def http(self, req: HTTPRequest) -> HTTPResponse | None:
        if req.port not in self.ports:
            return None
        self.requests += 1
        path = req.path.split("?", 1)[0]
        if path.endswith("/"):
            path += "index.html"
        body = self.ctx.fs.read("/usr/local/apache2/htdocs" + path)
        resp = HTTPResponse(200, body, "text/html") if body is not None else HTTPResponse(
            404, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n"
                 "</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n"
                 "</body></html>\n", "text/html")
        t = self.ctx.wall().strftime("%d/%b/%Y:%H:%M:%S +0000")
        self.ctx.log(f'{req.client_ip} - - [{t}] "{req.method} {req.path} HTTP/1.1" {resp.status} '
                     f'{len(resp.body.encode())}')
        return resp


class RedisProgram(Program):
    ports = {6379: "tcp"}
    cpu_millicores = 4.0
    memory_bytes = 3 * Mi

    def start(self) -> None:
        t = self._t()
        self.ctx.log(f"1:C {t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
        self.ctx.log(f"1:C {t} * Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started")
        self.ctx.log(f"1:C {t} # Warning: no config file specified, using the default config. In order to specify "
                     f"a config file use redis-server /path/to/redis.conf")
        self.ctx.log(f"1:M {t} * monotonic clock: POSIX clock_gettime")
        self.ctx.log(f"1:M {t} * Running mode=standalone, port=6379.")
        self.ctx.log(f"1:M {t} * Server initialized")
        self.ctx.log(f"1:M {t} * Ready to accept connections tcp")

    def _t(self) -> str:
        w = self.ctx.wall()
        return w.strftime("%d %b %Y %H:%M:%S.") + f"{w.microsecond // 1000:03d}"

    def stop(self, signal: str) -> None:
        t = self._t()
        self.ctx.log(f"1:signal-handler ({int(self.ctx.wall().timestamp())}) Received SIGTERM scheduling shutdown...")
        self.ctx.log(f"1:M {t} * User requested shutdown...")
        self.ctx.log(f"1:M {t} # Redis is now ready to exit, bye bye...")
        super().stop(signal)

    def exec_redis_cli(self, args: list[str]) -> tuple[int, str]:
        words = [a for a in args if not a.startswith("-")]
        if words and words[0].lower() == "ping":
            return 0, "PONG\n"
        return 0, "OK\n"


class ServerProgram(Program):
    """A long-running server from the catalogue: logs its start-up lines and listens."""

    def __init__(self, ctx, image, ports=None, lines=(), cpu=2.0, memory=20 * Mi, http_paths=None,
                 required_env=None):
        super().__init__(ctx, image)
        self.ports = dict(ports or {})
        self.lines = lines
        self.cpu_millicores = cpu
        self.memory = self.memory_bytes = memory
        self.http_paths = http_paths or {}
        self.required_env = required_env

    def start(self) -> None:
        if self.required_env:
            names, message = self.required_env
            if not any(self.ctx.env.get(n) for n in names):
                for line in message:
                    self.ctx.log(line, "stderr")
                self.ctx.call_later(0.2, lambda: self.ctx.exit(1))
                return
        t = self.ctx.wall()
        for line in self.lines:
            self.ctx.log(line.format(time=t.strftime("%Y-%m-%d %H:%M:%S"),
                                     klog=t.strftime("%m%d %H:%M:%S.%f"),
                                     iso=t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                                     node=self.ctx.node_name, ip=self.ctx.pod_ip))

    def http(self, req: HTTPRequest) -> HTTPResponse | None:
        if self.ports.get(req.port) not in ("http", "https"):
            return None
        path = req.path.split("?", 1)[0]
        if path in self.http_paths:
            return HTTPResponse(200, self.http_paths[path])
        if path in ("/", "/healthz", "/livez", "/readyz", "/health", "/ready", "/metrics"):
            return HTTPResponse(200, "ok")
        return HTTPResponse(404, "404 page not found\n")


class CrashProgram(Program):
    """``kernelsim/crash``: starts, logs, and exits 1 after 2 seconds (``CRASH_AFTER``)."""

    def start(self) -> None:
        delay = float(self.ctx.env.get("CRASH_AFTER", "2") or 2)
        self.ctx.log("starting up")
        self.ctx.log("loading configuration from /etc/app/config.yaml")

        def crash():
            self.ctx.log("panic: runtime error: invalid memory address or nil pointer dereference", "stderr")
            self.ctx.log("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]", "stderr")
            self.ctx.exit(1)
        self.ctx.call_later(delay, crash)


class MemHogProgram(Program):
    """``kernelsim/memhog``: allocates memory step by step (args ``--vm-bytes 512Mi``,
    env ``MEMORY``, default 1Gi; 25Mi every half second, or ``STEP`` every ``INTERVAL``
    seconds: ``STEP=5Mi INTERVAL=10`` is a slow leak) and then holds it."""

    step_bytes = 25 * Mi
    cpu_millicores = 100.0

    def start(self) -> None:
        from ..api.defaults import quantity_value

        target = self.ctx.env.get("MEMORY") or "1Gi"
        args = list(self.ctx.args or [])
        for i, a in enumerate(args):
            if a in ("--vm-bytes", "--memory", "-m") and i + 1 < len(args):
                target = args[i + 1]
            elif a.startswith("--vm-bytes="):
                target = a.split("=", 1)[1]
        self.target = int(quantity_value(target) or 1024 * Mi)
        self.step_bytes = int(quantity_value(self.ctx.env.get("STEP") or "") or self.step_bytes)
        try:
            self.interval = max(0.1, float(self.ctx.env.get("INTERVAL") or 0.5))
        except ValueError:
            self.interval = 0.5
        self.memory = 2 * Mi
        self.ctx.log(f"memhog: allocating up to {target}")
        self.grow()

    def grow(self) -> None:
        if self.memory >= self.target:
            self.ctx.log(f"memhog: holding {self.memory // Mi}Mi")
            return
        self.memory = min(self.target, self.memory + self.step_bytes)
        self.ctx.set_memory(self.memory)
        # a slow leak is the program running, not work that settle() should wait for
        self.ctx.call_later(self.interval, self.grow, background=self.interval > 0.5)


class JobProgram(Program):
    """``kernelsim/job``: works for N seconds (env ``DURATION`` or the first arg, default 5), then exits 0."""

    cpu_millicores = 50.0

    def start(self) -> None:
        raw = self.ctx.env.get("DURATION") or (self.ctx.args[0] if self.ctx.args else "5")
        try:
            duration = float(str(raw).rstrip("s"))
        except ValueError:
            duration = 5.0
        self.ctx.log(f"job started, working for {duration:g}s")

        def done():
            self.ctx.log("job finished successfully")
            self.ctx.exit(0)
        self.ctx.call_later(duration, done)


class PauseProgram(Program):
    cpu_millicores = 0.0
    memory_bytes = 300 * 1024


NGINX_WELCOME = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""


def _nginx_error(code: int, text: str, version: str) -> str:
    return (f"<html>\r\n<head><title>{code} {text}</title></head>\r\n<body>\r\n<center><h1>{code} {text}</h1>"
            f"</center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n")


# ---------------------------------------------------------------------------
# The catalogue: repository -> (size in bytes, program factory).

class EtcdProgram(ServerProgram):
    """etcd: a server whose image also holds ``etcdctl``."""

    def exec_etcdctl(self, args: list[str]) -> tuple[int, str]:
        hook = self.ctx.runtime.etcd_hook
        if hook is None:
            return 1, "Error: context deadline exceeded\n"
        return hook(self.ctx.node_name, args)


def _server(ports, lines=(), cpu=2.0, memory=20 * Mi, http_paths=None, required_env=None, cls=None):
    def make(ctx, image):
        return (cls or ServerProgram)(ctx, image, ports, lines, cpu, memory, http_paths, required_env)
    return make


def _klog(component: str, message: str) -> str:
    return "I{klog}       1 " + f"{component}] {message}"


_CONTROL_PLANE = {
    "registry.k8s.io/kube-apiserver": (30_000_000, _server(
        {6443: "https"}, [_klog("options.go:249", "external host was not specified, using {ip}"),
                          _klog("server.go:186", "Version: v1.37.0"),
                          _klog("secure_serving.go:211", "Serving securely on [::]:6443")], 50.0, 300 * Mi,
        {"/livez": "ok", "/readyz": "ok", "/healthz": "ok"})),
    "registry.k8s.io/kube-controller-manager": (27_000_000, _server(
        {10257: "https"}, [_klog("serving.go:386", "Generated self-signed cert in-memory"),
                           _klog("controllermanager.go:201", '"Starting" version="v1.37.0"'),
                           _klog("leaderelection.go:257", "attempting to acquire leader lease "
                                                          "kube-system/kube-controller-manager...")],
        15.0, 60 * Mi)),
    "registry.k8s.io/kube-scheduler": (18_000_000, _server(
        {10259: "https"}, [_klog("serving.go:386", "Generated self-signed cert in-memory"),
                           _klog("server.go:175", '"Starting Kubernetes Scheduler" version="v1.37.0"'),
                           _klog("leaderelection.go:257", "attempting to acquire leader lease "
                                                          "kube-system/kube-scheduler...")], 3.0, 25 * Mi)),
    "registry.k8s.io/kube-proxy": (31_000_000, _server(
        {10256: "http", 10249: "http"},
        [_klog("server_linux.go:53", '"Using iptables proxy"'),
         _klog("server.go:256", '"kube-proxy running in dual-stack mode" primary ipFamily="IPv4"'),
         _klog("config.go:199", '"Starting service config controller"')], 1.0, 15 * Mi)),
    "registry.k8s.io/etcd": (23_000_000, _server(
        {2379: "https", 2380: "tcp", 2381: "http"},
        ['{{"level":"info","ts":"{iso}","caller":"etcdmain/etcd.go:73","msg":"Running: ","args":["etcd"]}}',
         '{{"level":"info","ts":"{iso}","caller":"embed/serve.go:210","msg":"serving client traffic securely",'
         '"traffic":"grpc+http","address":"{ip}:2379"}}'], 20.0, 40 * Mi,
        {"/health": '{"health":"true","reason":""}', "/readyz": "ok", "/livez": "ok"}, cls=EtcdProgram)),
    "registry.k8s.io/coredns/coredns": (20_000_000, _server(
        {53: "udp", 8080: "http", 8181: "http", 9153: "http"},
        ["maxprocs: Leaving GOMAXPROCS=2: CPU quota undefined", ".:53", "[INFO] plugin/reload: Running configuration "
         "SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c8"
         "94564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b",
         "CoreDNS-1.12.3", "linux/amd64, go1.24.5, 6b6a1fe"], 3.0, 15 * Mi,
        {"/health": "OK", "/ready": "OK"})),
    "registry.k8s.io/pause": (320_000, lambda ctx, image: PauseProgram(ctx, image)),
    "registry.k8s.io/metrics-server/metrics-server": (19_000_000, _server(
        {10250: "https", 4443: "https"}, [_klog("serving.go:380", "Generated self-signed cert "
                                                                  "(/tmp/apiserver.crt, /tmp/apiserver.key)"),
                                          _klog("secure_serving.go:213", "Serving securely on [::]:10250")],
        4.0, 20 * Mi)),
    "docker.io/kindest/kindnetd": (16_000_000, _server(
        {}, [_klog("main.go:109", '"connected to apiserver" host="https://10.96.0.1:443"'),
             _klog("main.go:139", '"hostIP = {ip}\\npodIP = {ip}\\n"'),
             _klog("main.go:148", '"setting mtu 1500 for CNI"')], 1.0, 10 * Mi)),
    "docker.io/kubernetesui/dashboard": (75_000_000, _server(
        {8443: "https", 9090: "http"}, ["{time} Starting overwatch", "{time} Using namespace: kubernetes-dashboard",
                                        "{time} Serving securely on HTTPS port: 8443"], 1.0, 20 * Mi)),
    "docker.io/kubernetesui/metrics-scraper": (19_000_000, _server(
        {8000: "http"}, ["{time} Kubernetes host: https://10.96.0.1:443"], 1.0, 8 * Mi)),
    "docker.io/fluent/fluentd-kubernetes-daemonset": (110_000_000, _server(
        {24224: "tcp"}, ["{time} +0000 [info]: init supervisor logger path=nil rotate_age=nil rotate_size=nil",
                         "{time} +0000 [info]: parsing config file is succeeded path=\"/fluentd/etc/fluent.conf\"",
                         "{time} +0000 [info]: starting fluentd-1.18.0 pid=7 ruby=\"3.3.6\"",
                         "{time} +0000 [info]: #0 fluentd worker is now running worker=0"], 5.0, 120 * Mi)),
    "docker.io/fluent/fluentd": (60_000_000, _server(
        {24224: "tcp"}, ["{time} +0000 [info]: starting fluentd-1.18.0 pid=7 ruby=\"3.3.6\""], 5.0, 80 * Mi)),
}
_CONTROL_PLANE["registry.k8s.io/cloud-controller-manager"] = (26_000_000, _server(
    {10258: "https"}, [_klog("serving.go:386", "Generated self-signed cert in-memory"),
                       _klog("controllermanager.go:169", '"Starting" version="v1.37.0"'),
                       _klog("leaderelection.go:257", "attempting to acquire leader lease "
                                                      "kube-system/cloud-controller-manager...")], 5.0, 30 * Mi))
_CONTROL_PLANE["quay.io/fluentd_elasticsearch/fluentd"] = (140_000_000, _server(
    {24231: "http"}, ["{time} +0000 [info]: parsing config file is succeeded path=\"/etc/fluent/fluent.conf\"",
                      "{time} +0000 [info]: starting fluentd-1.16.2 pid=1 ruby=\"3.1.4\"",
                      "{time} +0000 [info]: #0 fluentd worker is now running worker=0"], 5.0, 100 * Mi))
_CONTROL_PLANE["cr.fluentbit.io/fluent/fluent-bit"] = (33_000_000, _server(
    {2020: "http"}, ["Fluent Bit v4.0.3", "* Copyright (C) 2015-2025 The Fluent Bit Authors",
                     "* Fluent Bit is a CNCF sub-project under the umbrella of Fluentd", "* https://fluentbit.io", "",
                     "[{time}] [ info] [fluent bit] version=4.0.3, commit=f5f5f3c17d, pid=1",
                     "[{time}] [ info] [storage] ver=1.5.3, type=memory, sync=normal, checksum=off, max_chunks_up=128",
                     "[{time}] [ info] [input:tail:tail.0] initializing",
                     "[{time}] [ info] [input:systemd:systemd.1] seek_cursor=s=e8b0...; tail=1",
                     "[{time}] [ info] [filter:kubernetes:kubernetes.0] https=1 host=kubernetes.default.svc port=443",
                     "[{time}] [ info] [filter:kubernetes:kubernetes.0] connectivity OK",
                     "[{time}] [ info] [output:forward:forward.0] worker #0 started",
                     "[{time}] [ info] [http_server] listen iface=0.0.0.0 tcp_port=2020",
                     "[{time}] [ info] [sp] stream processor started"], 2.0, 15 * Mi,
    {"/api/v1/health": "ok", "/": "Fluent Bit v4.0.3"}))
_CONTROL_PLANE["docker.io/fluent/fluent-bit"] = _CONTROL_PLANE["cr.fluentbit.io/fluent/fluent-bit"]
# older names that manifests still use
_CONTROL_PLANE["registry.k8s.io/coredns"] = _CONTROL_PLANE["registry.k8s.io/coredns/coredns"]
_CONTROL_PLANE["docker.io/coredns/coredns"] = _CONTROL_PLANE["registry.k8s.io/coredns/coredns"]
_CONTROL_PLANE["registry.k8s.io/kube-state-metrics/kube-state-metrics"] = (
    17_000_000, _server({8080: "http", 8081: "http"}, [_klog("main.go:195", '"Starting kube-state-metrics"')]))


def _shell_image(default_cmd=("sh",)):
    def make(ctx, image):
        p = ShellProgram(ctx, image)
        p.default_cmd = list(default_cmd)
        return p
    return make


_PG_ERR = ("Error: Database is uninitialized and superuser password is not specified.",
           "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
           "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".")
_MYSQL_ERR = ("{time}+00:00 [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified",
              "    You need to specify one of the following as an environment variable:",
              "    - MYSQL_ROOT_PASSWORD", "    - MYSQL_ALLOW_EMPTY_PASSWORD", "    - MYSQL_RANDOM_ROOT_PASSWORD")

_OFFICIAL = {
    "nginx": (72_218_532, lambda ctx, image: NginxProgram(ctx, image)),
    "httpd": (58_600_000, lambda ctx, image: HttpdProgram(ctx, image)),
    "redis": (52_500_000, lambda ctx, image: RedisProgram(ctx, image)),
    "busybox": (2_224_429, _shell_image()),
    "alpine": (3_653_499, _shell_image()),
    "ubuntu": (29_726_000, _shell_image(("bash",))),
    "debian": (48_500_000, _shell_image(("bash",))),
    "centos": (79_000_000, _shell_image(("bash",))),
    "fedora": (60_000_000, _shell_image(("bash",))),
    "rockylinux": (70_000_000, _shell_image(("bash",))),
    "python": (412_000_000, _shell_image(("python3",))),
    "node": (398_000_000, _shell_image(("node",))),
    "golang": (295_000_000, _shell_image(("bash",))),
    "ruby": (350_000_000, _shell_image(("irb",))),
    "openjdk": (320_000_000, _shell_image(("jshell",))),
    "eclipse-temurin": (190_000_000, _shell_image(("jshell",))),
    "curlimages/curl": (9_900_000, _shell_image(("curl",))),
    "postgres": (158_000_000, _server({5432: "tcp"}, [
        "PostgreSQL init process complete; ready for start up.", "",
        "{time}.000 UTC [1] LOG:  starting PostgreSQL 18.0 (Debian 18.0-1.pgdg13+3) on x86_64-pc-linux-gnu",
        "{time}.000 UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
        "{time}.000 UTC [1] LOG:  database system is ready to accept connections"], 5.0, 40 * Mi,
        required_env=(("POSTGRES_PASSWORD", "POSTGRES_HOST_AUTH_METHOD"), _PG_ERR))),
    "mysql": (235_000_000, _server({3306: "tcp", 33060: "tcp"}, [
        "{time}+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.4.0-1.el9 started.",
        "{time}Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.4.0'  "
        "socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."], 8.0, 400 * Mi,
        required_env=(("MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"),
                      _MYSQL_ERR))),
    "mariadb": (120_000_000, _server({3306: "tcp"}, ["{time} 0 [Note] mariadbd: ready for connections."],
                                     5.0, 90 * Mi)),
    "mongo": (290_000_000, _server({27017: "tcp"}, ['{{"t":{{"$date":"{iso}"}},"s":"I",  "c":"NETWORK",  '
                                                    '"id":23016,   "ctx":"listener","msg":"Waiting for connections",'
                                                    '"attr":{{"port":27017,"ssl":"off"}}}}'], 10.0, 150 * Mi)),
    "memcached": (30_000_000, _server({11211: "tcp"}, [], 1.0, 3 * Mi)),
    "rabbitmq": (110_000_000, _server({5672: "tcp", 15672: "http"}, ["{time}.000000+00:00 [info] <0.9.0> "
                                                                      "Server startup complete"], 10.0, 110 * Mi)),
    "traefik": (50_000_000, _server({80: "http", 8080: "http"}, ['{time} INF Traefik version 3.5.0 built on '
                                                                 '2025-07-24T00:00:00Z version=3.5.0'], 2.0, 30 * Mi)),
    "caddy": (20_000_000, _server({80: "http", 443: "https", 2019: "http"}, [], 1.0, 15 * Mi)),
    "haproxy": (40_000_000, _server({80: "http"}, [], 1.0, 10 * Mi)),
    "registry": (10_000_000, _server({5000: "http"}, [], 1.0, 10 * Mi)),
    "wordpress": (250_000_000, _server({80: "http"}, ["AH00094: Command line: 'apache2 -D FOREGROUND'"],
                                       5.0, 60 * Mi)),
    "tomcat": (230_000_000, _server({8080: "http"}, ["{time} INFO [main] org.apache.catalina.startup.Catalina.start "
                                                     "Server startup in [812] milliseconds"], 10.0, 180 * Mi)),
    "grafana/grafana": (200_000_000, _server({3000: "http"}, ['logger=http.server t={iso} level=info '
                                                              'msg="HTTP Server Listen" address=[::]:3000'],
                                             5.0, 80 * Mi, {"/api/health": '{"database":"ok"}'})),
    "prom/prometheus": (110_000_000, _server({9090: "http"}, ['time={iso} level=INFO source=main.go:1000 '
                                                              'msg="Server is ready to receive web requests."'],
                                             10.0, 100 * Mi, {"/-/ready": "Prometheus Server is Ready.\n",
                                                              "/-/healthy": "Prometheus Server is Healthy.\n"})),
    "kernelsim/crash": (5_000_000, lambda ctx, image: CrashProgram(ctx, image)),
    "kernelsim/memhog": (6_000_000, lambda ctx, image: MemHogProgram(ctx, image)),
    "kernelsim/job": (5_500_000, lambda ctx, image: JobProgram(ctx, image)),
}

CATALOG: dict[str, tuple[int, object]] = dict(_CONTROL_PLANE)
for _name, _entry in _OFFICIAL.items():
    CATALOG[parse_reference(_name).repository] = _entry
# the images of the Kubernetes documentation's examples
CATALOG["registry.k8s.io/busybox"] = _OFFICIAL["busybox"]
CATALOG["gcr.io/google-containers/busybox"] = _OFFICIAL["busybox"]
CATALOG["registry.k8s.io/nginx"] = _OFFICIAL["nginx"]
# official images are also reachable through the mirror registries learners meet
for _name, _entry in list(_OFFICIAL.items()):
    if "/" not in _name:
        CATALOG[f"public.ecr.aws/docker/library/{_name}"] = _entry
        CATALOG[f"mirror.gcr.io/library/{_name}"] = _entry


# ---------------------------------------------------------------------------
# Images

@dataclass(frozen=True)
class Image:
    ref: Reference
    size: int
    factory: object

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def digest(self) -> str:
        """The manifest digest (repo digest) of this tag: stable for a given reference."""
        if self.ref.digest:
            return self.ref.digest
        return "sha256:" + hashlib.sha256(f"manifest {self.ref.repository}:{self.ref.tag}".encode()).hexdigest()

    @property
    def repo_digest(self) -> str:
        return f"{self.ref.repository}@{self.digest}"

    @property
    def id(self) -> str:
        """The image (config) ID, as ``crictl images`` shows it."""
        return "sha256:" + hashlib.sha256(f"config {self.ref.repository}@{self.digest}".encode()).hexdigest()

    def program(self, ctx) -> Program:
        return self.factory(ctx, self)


def lookup(image: str) -> Image:
    """The image a reference names, or :class:`ImageNotFound` with containerd's error."""
    ref = parse_reference(image)
    entry = CATALOG.get(ref.repository)
    if entry is None:
        raise ImageNotFound(
            f'failed to pull and unpack image "{ref.name}": failed to resolve reference "{ref.name}": '
            f"pull access denied, repository does not exist or may require authorization: server message: "
            f"insufficient_scope: authorization failed")
    if not ref.digest and not tag_exists(ref.tag):
        raise ImageNotFound(f'failed to pull and unpack image "{ref.name}": failed to resolve reference '
                            f'"{ref.name}": {ref.name}: not found')
    size, factory = entry
    # a stable, tag-dependent size so that two tags of one image differ a little
    size += int(hashlib.sha256(ref.name.encode()).hexdigest()[:4], 16) % 100_000
    if ref.repository == "docker.io/library/nginx" and ref.tag == "latest":
        size = entry[0]
    return Image(ref, size, factory)


def not_found_code(image: str) -> str:
    """The gRPC code containerd answers with for a failed pull."""
    return "Unknown" if CATALOG.get(parse_reference(image).repository) is None else "NotFound"
