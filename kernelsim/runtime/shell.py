"""A small ``/bin/sh`` for simulated containers (the busybox ash that images like busybox and alpine run).

It runs the scripts learners put in ``command``/``args``: ``sh -c "echo hi; sleep 3600"``,
the docs' ``touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600`` and
``while true; do echo $(date); sleep 1; done``.  The interpreter is a generator: each
``sleep`` yields ``(seconds, in_loop)`` so that the container runs in simulated time;
everything else happens at once.  Files live in the container's filesystem (and so in
its mounted volumes); ``wget``/``curl`` go through the cluster network hook.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import shlex

FOREVER = math.inf
_MAX_STEPS_WITHOUT_SLEEP = 20000


class ShellExit(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class ShellSyntaxError(Exception):
    pass


# ---------------------------------------------------------------------------
# Tokens and words.  A word is a list of parts: ("lit", text), ("var", name),
# ("cmd", script) or ("arith", expression); a quoted word never splits.

_OPERATORS = ("&&", "||", ";;", ">>", "2>&1", "2>", ">", "<", "|", ";", "&", "\n", "(", ")")
_KEYWORDS = {"while", "until", "for", "do", "done", "if", "then", "elif", "else", "fi", "in", "{", "}", "!"}


class Word:
    def __init__(self, parts, quoted=False):
        self.parts = parts
        self.quoted = quoted

    def literal(self) -> str | None:
        if all(k == "lit" for k, _ in self.parts) and not self.quoted:
            return "".join(v for _, v in self.parts)
        return None

    def __repr__(self):
        return f"Word({self.parts!r})"


def _read_balanced(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the ``close`` that balances an ``open_`` already consumed."""
    depth = 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = len(text) if j < 0 else j + 1
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ShellSyntaxError(f"unterminated {open_}")


def _dollar(text: str, i: int, parts: list) -> int:
    """Parse an expansion starting at text[i] == '$'; returns the next index."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if text.startswith("$((", i):
        end = _read_balanced(text, i + 3, "(", ")")
        # end is past the first ')', expect another
        parts.append(("arith", text[i + 3:end - 1]))
        return end + 1 if end < len(text) and text[end] == ")" else end
    if nxt == "(":
        end = _read_balanced(text, i + 2, "(", ")")
        parts.append(("cmd", text[i + 2:end - 1]))
        return end
    if nxt == "{":
        end = text.find("}", i + 2)
        if end < 0:
            raise ShellSyntaxError("bad substitution")
        parts.append(("var", text[i + 2:end]))
        return end + 1
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!]", text[i + 1:])
    if m:
        parts.append(("var", m.group(0)))
        return i + 1 + len(m.group(0))
    parts.append(("lit", "$"))
    return i + 1


def tokenize(text: str) -> list:
    """Words and operator strings, in order."""
    tokens: list = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(op)
            i += len(op)
            continue
        parts: list = []
        quoted = False
        while i < n:
            c = text[i]
            if c in " \t\r\n;&|<>()":
                break
            if c == "\\":
                if i + 1 < n:
                    parts.append(("lit", text[i + 1]))
                i += 2
            elif c == "'":
                j = text.find("'", i + 1)
                if j < 0:
                    raise ShellSyntaxError("unterminated quoted string")
                parts.append(("lit", text[i + 1:j]))
                quoted = True
                i = j + 1
            elif c == '"':
                quoted = True
                i += 1
                buf = ""
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                        buf += text[i + 1]
                        i += 2
                    elif text[i] == "$":
                        if buf:
                            parts.append(("lit", buf))
                            buf = ""
                        i = _dollar(text, i, parts)
                    elif text[i] == "`":
                        if buf:
                            parts.append(("lit", buf))
                            buf = ""
                        j = text.find("`", i + 1)
                        parts.append(("cmd", text[i + 1:j]))
                        i = j + 1
                    else:
                        buf += text[i]
                        i += 1
                if i >= n:
                    raise ShellSyntaxError("unterminated quoted string")
                if buf or not parts:
                    parts.append(("lit", buf))
                i += 1
            elif c == "$":
                i = _dollar(text, i, parts)
            elif c == "`":
                j = text.find("`", i + 1)
                parts.append(("cmd", text[i + 1:j]))
                i = j + 1
            else:
                j = i
                while j < n and text[j] not in " \t\r\n;&|<>()\\'\"$`":
                    j += 1
                parts.append(("lit", text[i:j]))
                i = j
        tokens.append(Word(parts, quoted))
    return tokens


# ---------------------------------------------------------------------------
# Parser: lists of and-or pipelines; while/until/for/if/brace groups.

class Parser:
    def __init__(self, tokens):
        self.toks = tokens
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def keyword(self):
        t = self.peek()
        return t.literal() if isinstance(t, Word) else None

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def expect_kw(self, kw):
        if self.keyword() != kw:
            got = self.keyword() or self.peek() or "end of file"
            raise ShellSyntaxError(f"syntax error: unexpected {got!s} (expecting \"{kw}\")")
        self.take()

    def skip_separators(self):
        while self.peek() in (";", "\n", "&"):
            self.take()

    def parse_list(self, stop=()):
        items = []
        self.skip_separators()
        while self.peek() is not None and self.keyword() not in stop and self.peek() != ")":
            items.append(self.parse_and_or())
            self.skip_separators()
        return ("list", items)

    def parse_and_or(self):
        node = self.parse_pipeline()
        while self.peek() in ("&&", "||"):
            op = self.take()
            while self.peek() == "\n":
                self.take()
            node = (op, node, self.parse_pipeline())
        return node

    def parse_pipeline(self):
        negate = False
        if self.keyword() == "!":
            self.take()
            negate = True
        cmds = [self.parse_command()]
        while self.peek() == "|":
            self.take()
            cmds.append(self.parse_command())
        node = cmds[0] if len(cmds) == 1 else ("pipe", cmds)
        return ("not", node) if negate else node

    def parse_command(self):
        kw = self.keyword()
        if kw in ("while", "until"):
            self.take()
            cond = self.parse_list(stop=("do",))
            self.expect_kw("do")
            body = self.parse_list(stop=("done",))
            self.expect_kw("done")
            return self._redirected((kw, cond, body))
        if kw == "for":
            self.take()
            var = self.take().literal()
            self.skip_newlines()
            words = []
            if self.keyword() == "in":
                self.take()
                while isinstance(self.peek(), Word) and self.keyword() != "do":
                    words.append(self.take())
            else:
                words = [Word([("var", "@")])]
            self.skip_separators()
            self.expect_kw("do")
            body = self.parse_list(stop=("done",))
            self.expect_kw("done")
            return self._redirected(("for", var, words, body))
        if kw == "if":
            self.take()
            branches = []
            cond = self.parse_list(stop=("then",))
            self.expect_kw("then")
            body = self.parse_list(stop=("elif", "else", "fi"))
            branches.append((cond, body))
            other = None
            while True:
                k = self.keyword()
                if k == "elif":
                    self.take()
                    c = self.parse_list(stop=("then",))
                    self.expect_kw("then")
                    branches.append((c, self.parse_list(stop=("elif", "else", "fi"))))
                elif k == "else":
                    self.take()
                    other = self.parse_list(stop=("fi",))
                else:
                    break
            self.expect_kw("fi")
            return self._redirected(("if", branches, other))
        if kw == "{":
            self.take()
            body = self.parse_list(stop=("}",))
            self.expect_kw("}")
            return self._redirected(("group", body))
        if self.peek() == "(":
            self.take()
            body = self.parse_list()
            if self.take() != ")":
                raise ShellSyntaxError("syntax error: missing )")
            return self._redirected(("group", body))
        return self.parse_simple()

    def skip_newlines(self):
        while self.peek() == "\n":
            self.take()

    def _redirected(self, node):
        redirs = self._redirections()
        return ("redir", node, redirs) if redirs else node

    def _redirections(self):
        redirs = []
        while self.peek() in (">", ">>", "2>", "<", "2>&1"):
            op = self.take()
            if op == "2>&1":
                redirs.append((op, None))
                continue
            target = self.take()
            if not isinstance(target, Word):
                raise ShellSyntaxError(f"syntax error: unexpected \"{target}\"")
            redirs.append((op, target))
        return redirs

    def parse_simple(self):
        words, redirs = [], []
        while True:
            t = self.peek()
            if isinstance(t, Word):
                if not words and t.literal() in ("then", "do", "done", "fi", "elif", "else", "}"):
                    break
                words.append(self.take())
            elif t in (">", ">>", "2>", "<", "2>&1"):
                redirs.extend(self._redirections())
            else:
                break
        if not words and not redirs:
            t = self.peek()
            raise ShellSyntaxError(f"syntax error: unexpected \"{t if t != chr(10) else 'newline'}\"")
        return ("simple", words, redirs)


def parse(script: str):
    p = Parser(tokenize(script))
    tree = p.parse_list()
    if p.peek() is not None:
        raise ShellSyntaxError(f"syntax error: unexpected \"{p.peek()}\"")
    return tree


# ---------------------------------------------------------------------------
# The interpreter.

class Output:
    """Where a command's stdout/stderr go: the container log, a file, or a capture."""

    def __init__(self, write_out, write_err):
        self.write_out = write_out
        self.write_err = write_err


class Shell:
    """Runs scripts against ``io``: an object with ``fs``, ``env``, ``log(text, stream)``,
    ``hostname``, ``wall()`` and ``fetch(url, timeout)``."""

    def __init__(self, io, argv0: str = "sh"):
        self.io = io
        self.env = dict(io.env)
        self.argv0 = argv0
        self.status = 0
        self.loop_depth = 0
        self.steps = 0
        self.traps: dict[str, str] = {}
        self._partial = {"stdout": "", "stderr": ""}
        self.out = Output(lambda s: self._emit(s, "stdout"), lambda s: self._emit(s, "stderr"))

    # -- output to the container log: complete lines only --------------------
    def _emit(self, text: str, stream: str) -> None:
        buf = self._partial[stream] + text
        *lines, rest = buf.split("\n")
        for line in lines:
            self.io.log(line, stream)
        self._partial[stream] = rest

    def flush(self) -> None:
        for stream, rest in self._partial.items():
            if rest:
                self.io.log(rest, stream)
            self._partial[stream] = ""

    # -- entry points -----------------------------------------------------------
    def run_script(self, script: str):
        """Generator: yields (seconds, in_loop) for each sleep; returns the exit status."""
        try:
            tree = parse(script)
        except ShellSyntaxError as e:
            self.out.write_err(f"{self.argv0}: {e}\n")
            return 2
        try:
            status = yield from self.exec_node(tree)
        except ShellExit as e:
            status = e.code
        self.flush()
        return status

    def run_argv(self, argv: list[str]):
        """Generator for a command given as an argv list (no shell parsing)."""
        try:
            status = yield from self.run_command(list(argv), self.out, "")
        except ShellExit as e:
            status = e.code
        self.flush()
        return status

    def run_sync(self, script: str) -> tuple[int, str]:
        """Run without waiting (exec probes, command substitution): (status, output)."""
        chunks: list[str] = []
        saved = self.out
        self.out = Output(chunks.append, chunks.append)
        try:
            gen = self.exec_node(parse(script))
            status = _drain(gen)
        except ShellSyntaxError as e:
            chunks.append(f"{self.argv0}: {e}\n")
            status = 2
        except ShellExit as e:
            status = e.code
        finally:
            self.out = saved
        return status, "".join(chunks)

    # -- nodes --------------------------------------------------------------------
    def _tick(self):
        self.steps += 1
        if self.steps > _MAX_STEPS_WITHOUT_SLEEP:
            raise ShellExit(137)  # a busy loop: treat as killed, never hang the simulation

    def exec_node(self, node, stdin: str = ""):
        self._tick()
        kind = node[0]
        if kind == "list":
            status = 0
            for item in node[1]:
                status = yield from self.exec_node(item, stdin)
            self.status = status
            return status
        if kind in ("&&", "||"):
            status = yield from self.exec_node(node[1], stdin)
            if (status == 0) == (kind == "&&"):
                status = yield from self.exec_node(node[2], stdin)
            self.status = status
            return status
        if kind == "not":
            status = yield from self.exec_node(node[1], stdin)
            return 0 if status else 1
        if kind == "pipe":
            data = stdin
            status = 0
            for i, cmd in enumerate(node[1]):
                last = i == len(node[1]) - 1
                if last:
                    status = yield from self.exec_node(cmd, data)
                else:
                    chunks: list[str] = []
                    saved = self.out
                    self.out = Output(chunks.append, saved.write_err)
                    try:
                        yield from self.exec_node(cmd, data)
                    finally:
                        self.out = saved
                    data = "".join(chunks)
            self.status = status
            return status
        if kind in ("while", "until"):
            self.loop_depth += 1
            status = 0
            try:
                while True:
                    c = yield from self.exec_node(node[1], stdin)
                    if (c == 0) != (kind == "while"):
                        break
                    status = yield from self.exec_node(node[2], stdin)
            finally:
                self.loop_depth -= 1
            return status
        if kind == "for":
            values: list[str] = []
            for w in node[2]:
                values.extend(self.expand_fields(w))
            self.loop_depth += 1
            status = 0
            try:
                for v in values:
                    self.env[node[1]] = v
                    status = yield from self.exec_node(node[3], stdin)
            finally:
                self.loop_depth -= 1
            return status
        if kind == "if":
            for cond, body in node[1]:
                c = yield from self.exec_node(cond, stdin)
                if c == 0:
                    return (yield from self.exec_node(body, stdin))
            if node[2] is not None:
                return (yield from self.exec_node(node[2], stdin))
            return 0
        if kind == "group":
            return (yield from self.exec_node(node[1], stdin))
        if kind == "redir":
            return (yield from self.with_redirections(node[2], lambda: self.exec_node(node[1], stdin)))
        if kind == "simple":
            return (yield from self.exec_simple(node[1], node[2], stdin))
        raise ShellSyntaxError(f"unknown node {kind}")

    def with_redirections(self, redirs, run):
        saved = self.out
        out_w, err_w = saved.write_out, saved.write_err
        files: list[tuple[str, list, bool]] = []
        for op, target in redirs:
            if op == "2>&1":
                err_w = out_w
                continue
            path = self.expand_word(target)
            if op == "<":
                continue
            buf: list[str] = []
            append = op == ">>"
            if path != "/dev/null":
                err = self.io.fs.check_writable(path)
                if err:
                    saved.write_err(f"{self.argv0}: can't create {path}: {err}\n")
                    return 1
                files.append((path, buf, append))
            if op in (">", ">>"):
                out_w = buf.append
            else:
                err_w = buf.append
        self.out = Output(out_w, err_w)
        try:
            status = yield from run()
        finally:
            self.out = saved
            for path, buf, append in files:
                self.io.fs.write(path, "".join(buf), append=append)
        return status

    def exec_simple(self, words, redirs, stdin):
        argv: list[str] = []
        assigns: dict[str, str] = {}
        for w in words:
            lit = w.literal()
            if not argv and lit is None and w.parts and w.parts[0][0] == "lit" and \
                    re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w.parts[0][1]):
                name, _, first = w.parts[0][1].partition("=")
                assigns[name] = self.expand_word(Word([("lit", first)] + w.parts[1:], True))
                continue
            if not argv and lit is not None and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", lit):
                name, _, value = lit.partition("=")
                assigns[name] = value
                continue
            argv.extend(self.expand_fields(w))
        if not argv:
            self.env.update(assigns)
            return 0
        for k, v in assigns.items():
            self.env[k] = v
        stdin_data = stdin
        for op, target in redirs:
            if op == "<":
                content = self.io.fs.read(self.expand_word(target))
                if content is None:
                    self.out.write_err(f"{self.argv0}: can't open {self.expand_word(target)}: no such file\n")
                    return 1
                stdin_data = content
        if redirs:
            status = yield from self.with_redirections(redirs, lambda: self.run_command(argv, self.out, stdin_data))
        else:
            status = yield from self.run_command(argv, self.out, stdin_data)
        self.status = status
        return status

    # -- expansion ------------------------------------------------------------------
    def expand_word(self, w: Word) -> str:
        out = []
        for kind, value in w.parts:
            if kind == "lit":
                out.append(value)
            elif kind == "var":
                out.append(self.variable(value))
            elif kind == "cmd":
                status, text = Shell(self._sub_io(), self.argv0)._with_env(self.env).run_sync(value)
                out.append(text.rstrip("\n"))
            elif kind == "arith":
                out.append(str(self.arith(value)))
        return "".join(out)

    def expand_fields(self, w: Word) -> list[str]:
        text = self.expand_word(w)
        if w.quoted or all(k == "lit" for k, _ in w.parts):
            return [text]
        return text.split()

    def _with_env(self, env):
        self.env = dict(env)
        return self

    def _sub_io(self):
        return self.io

    def variable(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name == "$":
            return "1"
        if name in ("#",):
            return "0"
        if name in ("@", "*"):
            return ""
        if ":-" in name:
            var, _, default = name.partition(":-")
            return self.env.get(var) or default
        return self.env.get(name, "")

    def arith(self, expr: str) -> int:
        def var(m):
            value = self.env.get(m.group(0).lstrip("$"), "0") or "0"
            return value if value.lstrip("-").isdigit() else "0"
        text = re.sub(r"\$?\b[A-Za-z_][A-Za-z0-9_]*\b", var, expr)
        if not re.match(r"^[\d\s+\-*/%()<>=!&|]*$", text):
            return 0
        try:
            return int(eval(text.replace("/", "//"), {"__builtins__": {}}, {}))  # digits and operators only
        except Exception:
            return 0

    # -- commands ----------------------------------------------------------------
    def run_command(self, argv: list[str], out: Output, stdin: str):
        name = argv[0].rsplit("/", 1)[-1] if argv[0].startswith("/") else argv[0]
        handler = getattr(self, "cmd_" + name.replace("-", "_").replace("[", "test"), None)
        if name == "[":
            handler = self.cmd_test
        if handler is None:
            out.write_err(f"{self.argv0}: {argv[0]}: not found\n")
            return 127
        result = handler(argv[1:], out, stdin)
        if hasattr(result, "send"):  # a generator: it may sleep
            result = yield from result
        return result if isinstance(result, int) else 0

    def cmd_sleep(self, args, out, stdin):
        total = 0.0
        for a in args or ["0"]:
            if a in ("infinity", "inf"):
                total = FOREVER
                break
            m = re.match(r"^(\d+(?:\.\d+)?)([smhd]?)$", a)
            if not m:
                out.write_err(f"sleep: invalid number '{a}'\n")
                return 1
            total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        if total > 0:
            self.steps = 0
            yield (total, self.loop_depth > 0)
        return 0

    def cmd_echo(self, args, out, stdin):
        newline = True
        while args and args[0] in ("-n", "-e", "-ne", "-en"):
            if "n" in args[0]:
                newline = False
            args = args[1:]
        text = " ".join(args).replace("\\n", "\n").replace("\\t", "\t")
        out.write_out(text + ("\n" if newline else ""))
        return 0

    def cmd_printf(self, args, out, stdin):
        if not args:
            return 1
        fmt, rest = args[0], list(args[1:])
        fmt = fmt.replace("\\n", "\n").replace("\\t", "\t")

        def sub(m):
            v = rest.pop(0) if rest else ""
            return str(int(v) if m.group(0) == "%d" and v.lstrip("-").isdigit() else v)
        out.write_out(re.sub(r"%[sd]", sub, fmt).replace("%%", "%"))
        return 0

    def cmd_exit(self, args, out, stdin):
        code = int(args[0]) if args and args[0].lstrip("-").isdigit() else self.status
        raise ShellExit(code & 0xFF)

    def cmd_true(self, args, out, stdin):
        return 0

    def cmd_false(self, args, out, stdin):
        return 1

    def cmd_export(self, args, out, stdin):
        for a in args:
            if "=" in a:
                k, _, v = a.partition("=")
                self.env[k] = v
        return 0

    def cmd_trap(self, args, out, stdin):
        if len(args) >= 2:
            for sig in args[1:]:
                self.traps[sig.upper().removeprefix("SIG")] = args[0]
        return 0

    def cmd_cat(self, args, out, stdin):
        files = [a for a in args if not a.startswith("-")]
        if not files:
            out.write_out(stdin)
            return 0
        status = 0
        for path in files:
            content = self.io.fs.read(path)
            if content is None:
                kind = "Is a directory" if self.io.fs.is_dir(path) else "No such file or directory"
                out.write_err(f"cat: can't open '{path}': {kind}\n")
                status = 1
            else:
                out.write_out(content)
        return status

    def cmd_touch(self, args, out, stdin):
        status = 0
        for path in (a for a in args if not a.startswith("-")):
            err = self.io.fs.check_writable(path)
            if err:
                out.write_err(f"touch: {path}: {err}\n")
                status = 1
            elif self.io.fs.read(path) is None:
                self.io.fs.write(path, "")
        return status

    def cmd_rm(self, args, out, stdin):
        force = any(a.startswith("-") and "f" in a for a in args)
        status = 0
        for path in (a for a in args if not a.startswith("-")):
            if not self.io.fs.remove(path) and not force:
                out.write_err(f"rm: can't remove '{path}': No such file or directory\n")
                status = 1
        return status

    def cmd_mkdir(self, args, out, stdin):
        for path in (a for a in args if not a.startswith("-")):
            self.io.fs.mkdir(path)
        return 0

    def cmd_ls(self, args, out, stdin):
        paths = [a for a in args if not a.startswith("-")] or [self.env.get("PWD", "/")]
        status = 0
        for path in paths:
            if self.io.fs.read(path) is not None:
                out.write_out(path + "\n")
                continue
            names = self.io.fs.listdir(path)
            if names is None:
                out.write_err(f"ls: {path}: No such file or directory\n")
                status = 1
                continue
            if names:
                out.write_out("\n".join(names) + "\n")
        return status

    def cmd_date(self, args, out, stdin):
        now = self.io.wall()
        if args and args[0] == "+%s":
            out.write_out(f"{int(now.timestamp())}\n")
        elif args and args[0].startswith("+"):
            out.write_out(now.strftime(args[0][1:]) + "\n")
        else:
            out.write_out(wall_date(now) + "\n")
        return 0

    def cmd_hostname(self, args, out, stdin):
        out.write_out(self.io.hostname + "\n")
        return 0

    def cmd_whoami(self, args, out, stdin):
        out.write_out("root\n")
        return 0

    def cmd_id(self, args, out, stdin):
        out.write_out("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n")
        return 0

    def cmd_env(self, args, out, stdin):
        out.write_out("".join(f"{k}={v}\n" for k, v in self.env.items()))
        return 0

    def cmd_printenv(self, args, out, stdin):
        if not args:
            return self.cmd_env(args, out, stdin)
        status = 0
        for a in args:
            if a in self.env:
                out.write_out(self.env[a] + "\n")
            else:
                status = 1
        return status

    def cmd_seq(self, args, out, stdin):
        nums = [int(a) for a in args if a.lstrip("-").isdigit()]
        lo, hi = (1, nums[0]) if len(nums) == 1 else (nums[0], nums[-1]) if nums else (1, 0)
        out.write_out("".join(f"{i}\n" for i in range(lo, hi + 1)))
        return 0

    def cmd_head(self, args, out, stdin):
        return self._lines(args, out, stdin, lambda lines, n: lines[:n])

    def cmd_tail(self, args, out, stdin):
        if "-f" in args or "-F" in args:
            files = [a for a in args if not a.startswith("-")]
            if files:
                content = self.io.fs.read(files[0])
                if content:
                    out.write_out(content)
            self.steps = 0
            yield (FOREVER, self.loop_depth > 0)
            return 0
        return self._lines(args, out, stdin, lambda lines, n: lines[-n:] if n else [])

    def _lines(self, args, out, stdin, pick):
        n, files, i = 10, [], 0
        while i < len(args):
            a = args[i]
            if a == "-n" and i + 1 < len(args):
                n = int(args[i + 1])
                i += 2
                continue
            if re.match(r"^-\d+$", a):
                n = int(a[1:])
            elif not a.startswith("-"):
                files.append(a)
            i += 1
        text = stdin if not files else (self.io.fs.read(files[0]) or "")
        lines = text.splitlines()
        chosen = pick(lines, n)
        if chosen:
            out.write_out("\n".join(chosen) + "\n")
        return 0

    def cmd_wc(self, args, out, stdin):
        files = [a for a in args if not a.startswith("-")]
        text = stdin if not files else (self.io.fs.read(files[0]) or "")
        out.write_out(f"{text.count(chr(10))}\n")
        return 0

    def cmd_grep(self, args, out, stdin):
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        rest = [a for a in args if not a.startswith("-")]
        if not rest:
            return 2
        pattern, files = rest[0], rest[1:]
        text = stdin if not files else (self.io.fs.read(files[0]) or "")
        rx = re.compile(pattern, re.I if "i" in flags else 0)
        hits = [ln for ln in text.splitlines() if bool(rx.search(ln)) != ("v" in flags)]
        if hits and "q" not in flags:
            out.write_out("\n".join(hits) + "\n")
        return 0 if hits else 1

    def cmd_tee(self, args, out, stdin):
        for path in (a for a in args if not a.startswith("-")):
            self.io.fs.write(path, stdin, append="-a" in args)
        out.write_out(stdin)
        return 0

    def cmd_test(self, args, out, stdin):
        if args and args[-1] == "]":
            args = args[:-1]
        return 0 if self._test(args) else 1

    def _test(self, a: list[str]) -> bool:
        if not a:
            return False
        if a[0] == "!":
            return not self._test(a[1:])
        if len(a) == 1:
            return a[0] != ""
        if len(a) == 2:
            op, x = a
            fs = self.io.fs
            return {"-z": x == "", "-n": x != "", "-f": fs.read(x) is not None, "-e": fs.exists(x),
                    "-d": fs.is_dir(x), "-s": bool(fs.read(x))}.get(op, False)
        x, op, y = a[0], a[1], a[2]
        if op in ("=", "=="):
            return x == y
        if op == "!=":
            return x != y
        try:
            xi, yi = int(x), int(y)
        except ValueError:
            return False
        return {"-eq": xi == yi, "-ne": xi != yi, "-lt": xi < yi, "-le": xi <= yi, "-gt": xi > yi,
                "-ge": xi >= yi}.get(op, False)

    def cmd_sh(self, args, out, stdin):
        if len(args) >= 2 and args[0] == "-c":
            sub = Shell(self.io, self.argv0)
            sub.env = dict(self.env)
            sub.out = out
            sub.loop_depth = self.loop_depth
            try:
                tree = parse(args[1])
            except ShellSyntaxError as e:
                out.write_err(f"{self.argv0}: {e}\n")
                return 2
            try:
                return (yield from sub.exec_node(tree, stdin))
            except ShellExit as e:
                return e.code
        if args and self.io.fs.read(args[0]) is not None:
            return (yield from self.cmd_sh(["-c", self.io.fs.read(args[0])], out, stdin))
        return 0

    cmd_bash = cmd_sh
    cmd_ash = cmd_sh

    def cmd_wget(self, args, out, stdin):
        quiet = any(a in ("-q", "-qO-", "-qO", "--quiet") for a in args)
        to_stdout = any(a in ("-O-", "-qO-") for a in args) or ("-O" in args and args[args.index("-O") + 1] == "-") \
            or ("-qO" in args and args[args.index("-qO") + 1] == "-")
        spider = "--spider" in args
        timeout = 10.0
        for i, a in enumerate(args):
            if a == "-T" and i + 1 < len(args):
                timeout = float(args[i + 1])
            elif a.startswith("--timeout="):
                timeout = float(a.split("=", 1)[1])
        urls = [a for a in args if "://" in a or (not a.startswith("-") and "." in a and a != "-")]
        if not urls:
            out.write_err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\n"
                          "Usage: wget [-cqS] [-O FILE] URL\n")
            return 1
        url = urls[-1] if "://" in urls[-1] else "http://" + urls[-1]
        host = url.split("://", 1)[1].split("/", 1)[0]
        if not quiet:
            out.write_err(f"Connecting to {host} ({host})\n")
        status, body, error = self.io.fetch(url, timeout)
        if error:
            out.write_err(f"wget: {error}\n")
            return 1
        if status >= 400:
            out.write_err(f"wget: server returned error: HTTP/1.1 {status} {_reason(status)}\n")
            return 1
        if spider:
            if not quiet:
                out.write_err("remote file exists\n")
            return 0
        if to_stdout:
            out.write_out(body)
        else:
            name = url.rstrip("/").rsplit("/", 1)[-1] if url.count("/") > 2 and not url.endswith("/") else "index.html"
            self.io.fs.write("/" + name if self.env.get("PWD", "/") == "/" else self.env["PWD"] + "/" + name, body)
            if not quiet:
                out.write_err(f"saving to '{name}'\n{name}              100% |********************************|"
                              f"   {len(body)}  0:00:00 ETA\n'{name}' saved\n")
        return 0

    def cmd_curl(self, args, out, stdin):
        urls = [a for a in args if "://" in a or (not a.startswith("-") and "." in a)]
        if not urls:
            out.write_err("curl: try 'curl --help' or 'curl --manual' for more information\n")
            return 2
        url = urls[-1] if "://" in urls[-1] else "http://" + urls[-1]
        status, body, error = self.io.fetch(url, 10.0)
        if error:
            host = url.split("://", 1)[1].split("/", 1)[0]
            out.write_err(f"curl: (7) Failed to connect to {host}: {error}\n")
            return 7
        fail = "-f" in args or "--fail" in args or any(a.startswith("-") and not a.startswith("--") and "f" in a
                                                       for a in args)
        if fail and status >= 400:
            out.write_err(f"curl: (22) The requested URL returned error: {status}\n")
            return 22
        out.write_out(body)
        return 0

    def cmd_nslookup(self, args, out, stdin):
        """busybox ``nslookup NAME [SERVER]``: the resolver of /etc/resolv.conf (its nameserver,
        search list and ndots) asks the DNS server; the answer names the FQDN that matched."""
        names = [a for a in args if not a.startswith("-")]
        if not names:
            return 1
        servers, searches, ndots = [], [], 1  # the resolver's defaults when resolv.conf says nothing
        for line in (self.io.fs.read("/etc/resolv.conf") or "").splitlines():
            fields = line.split()
            if not fields or fields[0][0] in "#;":
                continue
            if fields[0] == "nameserver" and len(fields) > 1:
                servers.append(fields[1])
            elif fields[0] in ("search", "domain"):
                searches = [d.rstrip(".") for d in fields[1:] if d.rstrip(".")]
            elif fields[0] == "options":
                for opt in fields[1:]:
                    if opt.startswith("ndots:") and opt[6:].isdigit():
                        ndots = min(int(opt[6:]), 15)
        name = names[0]
        server = names[1] if len(names) > 1 else (servers[0] if servers else "127.0.0.1")
        cluster_dns = "10.96.0.10"  # the kube-dns Service: CoreDNS answers the cluster domain
        if name.endswith("."):
            candidates = [name.rstrip(".")]
        else:
            searched = [f"{name}.{d}" for d in searches]
            candidates = [name] + searched if name.count(".") >= ndots else searched + [name]
        resolve = getattr(self.io, "resolve", None)
        out.write_out(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n")
        for fqdn in candidates:
            if server != cluster_dns and fqdn.lower().endswith(".cluster.local"):
                continue  # an upstream resolver knows nothing of the cluster's names
            ips = resolve(fqdn + ".") if resolve else None
            if ips:
                for ip in ips:
                    out.write_out(f"Name:\t{fqdn}\nAddress: {ip}\n")
                out.write_out("\n")
                return 0
        out.write_out(f"** server can't find {name.rstrip('.')}: NXDOMAIN\n\n")
        return 1

    def cmd_nc(self, args, out, stdin):
        return 0

    def cmd_ping(self, args, out, stdin):
        return 0

    def cmd_kill(self, args, out, stdin):
        return 0

    def cmd_wait(self, args, out, stdin):
        return 0

    def cmd_cd(self, args, out, stdin):
        self.env["PWD"] = args[0] if args else "/root"
        return 0

    def cmd_pwd(self, args, out, stdin):
        out.write_out(self.env.get("PWD", "/") + "\n")
        return 0

    def cmd_uname(self, args, out, stdin):
        out.write_out("Linux\n" if not args else "Linux " + self.io.hostname + " 6.8.0-79-generic x86_64 GNU/Linux\n")
        return 0

    def cmd_df(self, args, out, stdin):
        out.write_out("Filesystem           1K-blocks      Used Available Use% Mounted on\n"
                      "overlay               20466256   6157548  13245952  32% /\n")
        return 0

    def cmd_stress(self, args, out, stdin):
        out.write_err("stress: not supported in this image\n")
        return 1


def _drain(gen) -> int:
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value if isinstance(stop.value, int) else 0


def _reason(status: int) -> str:
    return {200: "OK", 301: "Moved Permanently", 302: "Found", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}.get(status, "")


def split_command(text: str) -> list[str]:
    return shlex.split(text)


def wall_date(now: _dt.datetime) -> str:
    """busybox date's default format: ``%a %b %e %H:%M:%S %Z %Y``."""
    return now.strftime("%a %b ") + f"{now.day:2d}" + now.strftime(" %H:%M:%S UTC %Y")
