"""containerd through the CRI: pulls in simulated time, sandboxes, containers, programs, OOM, logs."""

import re

import pytest

from kernelsim.runtime import ContainerConfig, ContainerRuntime, FileStore, Mount
from kernelsim.runtime.images import lookup
from kernelsim.sim import EventLoop


@pytest.fixture
def rt():
    return ContainerRuntime(EventLoop(0), "worker-1")


def pull(rt, image):
    done = []
    rt.pull_image(image, lambda img, err, seconds: done.append((img, err, seconds)))
    rt.loop.settle()
    return done[0]


def run(rt, image, command=(), args=(), **kw):
    img = rt.image_status(image) or pull(rt, image)[0]
    sid = rt.sandboxes and next(iter(rt.sandboxes)) or rt.run_pod_sandbox("p", "default", "uid-1", "10.244.1.5")
    cid = rt.create_container(sid, ContainerConfig("c", img, list(command), list(args), **kw))
    rt.start_container(cid)
    return rt.container_status(cid)


def test_pulls_take_time_by_size_and_then_the_image_is_cached(rt):
    img, err, seconds = pull(rt, "nginx:1.27")
    assert err == "" and 1.5 < seconds < 4
    assert rt.image_status("docker.io/library/nginx:1.27") is img
    small = pull(rt, "busybox:1.36")[2]
    assert small < 1.0
    _, err, _ = pull(rt, "nginx:doesnotexist")
    assert err.startswith("rpc error: code = NotFound desc = failed to pull and unpack image")
    assert rt.image_status("nginx:doesnotexist") is None


def test_container_ids_states_and_exit_codes(rt):
    c = run(rt, "busybox:1.36", ["sh", "-c", "echo hi; sleep 2; exit 3"])
    assert re.fullmatch(r"[0-9a-f]{64}", c.id)
    assert c.state == "CONTAINER_RUNNING"
    rt.loop.settle()
    assert c.state == "CONTAINER_EXITED" and c.exit_code == 3 and c.finished_at == pytest.approx(c.started_at + 2)
    assert [line for _, _, line in rt.read_logs(c.id)] == ["hi"]
    assert rt.runtime_version == "containerd://2.1.4"


def test_the_shell_writes_into_mounted_volumes(rt):
    shared = FileStore()
    c = run(rt, "busybox:1.36", ["sh", "-c", "echo x > /data/f; echo y >> /data/f; cat /data/f; ls /data"],
            mounts=[Mount("/data", shared)])
    rt.loop.settle()
    assert [line for _, _, line in rt.read_logs(c.id)] == ["x", "y", "f"]
    assert shared.read("f") == "x\ny\n" and c.exit_code == 0


def test_stop_sends_the_stop_signal_and_kills_after_the_timeout(rt):
    web = run(rt, "nginx:1.27")
    rt.stop_container(web.id, 30)
    rt.loop.run_until(rt.loop.now + 1)
    assert web.state == "CONTAINER_EXITED" and web.exit_code == 0  # nginx quits on SIGQUIT
    sleeper = run(rt, "busybox:1.36", ["sleep", "3600"])
    t0 = rt.loop.now
    rt.stop_container(sleeper.id, 30)
    rt.loop.settle()
    assert sleeper.exit_code == 137 and sleeper.finished_at - t0 == pytest.approx(30)


def test_memory_over_the_limit_is_oom_killed(rt):
    hog = run(rt, "kernelsim/memhog", args=["--vm-bytes", "500Mi"], memory_limit=128 * 2**20)
    rt.loop.settle()
    assert hog.state == "CONTAINER_EXITED" and hog.exit_code == 137 and hog.reason == "OOMKilled"
    free = run(rt, "kernelsim/memhog", args=["--vm-bytes", "64Mi"])
    rt.loop.settle()
    assert free.running and rt.container_stats(free.id)[1] == 64 * 2**20


def test_programs_answer_http_tcp_and_exec(rt):
    run(rt, "nginx:1.27")
    sid = next(iter(rt.sandboxes))
    resp = rt.http_request(sid, 80, "GET", "/", client_ip="10.244.1.1", user_agent="curl/8.14.1")
    assert resp.status == 200 and "<h1>Welcome to nginx!</h1>" in resp.body and len(resp.body) == 615
    assert rt.http_request(sid, 80, "GET", "/missing").status == 404
    assert rt.http_request(sid, 8080, "GET", "/") is None  # connection refused
    assert rt.tcp_open(sid, 80) and not rt.tcp_open(sid, 6379)
    c = rt.list_containers(sandbox_id=sid)[0]
    assert any('"GET / HTTP/1.1" 200 615 "-" "curl/8.14.1"' in line for _, _, line in rt.read_logs(c.id))
    assert rt.exec_sync(c.id, ["cat", "/etc/hostname"]) == (0, "p\n")
    code, out = rt.exec_sync(c.id, ["cat", "/nope"])
    assert code == 1 and out == "cat: can't open '/nope': No such file or directory\n"


def test_crash_and_job_images(rt):
    crash = run(rt, "kernelsim/crash")
    rt.loop.settle()
    assert crash.exit_code == 1 and crash.finished_at - crash.started_at == pytest.approx(2)
    assert any(s == "stderr" and "panic" in line for _, s, line in rt.read_logs(crash.id))
    job = run(rt, "kernelsim/job", env={"DURATION": "7"})
    rt.loop.settle()
    assert job.exit_code == 0 and job.finished_at - job.started_at == pytest.approx(7)


def test_wget_reaches_other_pods_through_the_network_hook(rt):
    calls = []
    rt.network_hook = lambda from_ip, url, timeout: calls.append((from_ip, url)) or (200, "pong\n", "")
    c = run(rt, "busybox:1.36", ["sh", "-c", "wget -qO- http://web.default.svc.cluster.local/ping"])
    rt.loop.settle()
    assert calls == [("10.244.1.5", "http://web.default.svc.cluster.local/ping")]
    assert [line for _, _, line in rt.read_logs(c.id)] == ["pong"]


def test_unmanaged_containers_have_no_kubernetes_labels(rt):
    cid = rt.run_unmanaged("debug", "busybox:1.36", ["sleep", "3600"])
    c = rt.container_status(cid)
    assert c.running and not any(k.startswith("io.kubernetes.") for k in c.labels)
    with pytest.raises(Exception):
        rt.run_unmanaged("nope", "myteam/app:v1")
    assert lookup("busybox:1.36").name in {i.name for i in rt.list_images()}
