#!/usr/bin/env python3
"""Regenerates labelled.log / labelled.truth: synthetic log messages (one per line) and, on the
same line of the .truth file, the id of the template that produced it. Deterministic (fixed
seed); the lines are invented for faultline's tests, not taken from any public dataset.
Run: python3 testdata/mine/gen_labelled.py"""
import os
import random

rnd = random.Random(20240601)
users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "oscar", "peggy", "trent", "victor", "walter"]
tables = ["orders", "customers", "invoices", "line_items", "shipments", "payments", "audit_log"]
hosts = ["db-1.prod.example.com", "db-2.prod.example.com", "cache-7.example.net",
         "api-gw-3.example.org", "worker-12.internal"]
vms = ["vm-%d" % i for i in range(40)]


def ip():
    return "%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))


def hexs(n):
    return "".join(rnd.choice("0123456789abcdef") for _ in range(n))


def uuid():
    return "-".join(hexs(n) for n in (8, 4, 4, 4, 12))


T = {
    "vm_started": lambda: f"VM Started {rnd.choice(vms)} on host {ip()}",
    "vm_paused": lambda: f"VM Paused {rnd.choice(vms)} on host {ip()}",
    "vm_stopped": lambda: f"VM Stopped {rnd.choice(vms)} on host {ip()}",
    "login_ok": lambda: f"User {rnd.choice(users)} logged in from {ip()} port {rnd.randint(1024, 65535)}",
    "login_fail": lambda: f"Failed login for user {rnd.choice(users)} from {ip()}: bad password",
    "query_slow": lambda: f"Slow query on table {rnd.choice(tables)} took {rnd.randint(200, 9000)}ms rows={rnd.randint(0, 100000)}",
    "query_err": lambda: f"Query failed on table {rnd.choice(tables)}: deadlock detected (attempt {rnd.randint(1, 5)} of 5)",
    "req": lambda: f"GET /api/v1/orders/{rnd.randint(1, 99999)} status={rnd.choice([200, 201, 204])} duration={rnd.randint(1, 900)}ms",
    "req_err": lambda: f"POST /api/v1/payments failed: upstream {rnd.choice(hosts)} returned {rnd.choice([500, 502, 503])} after {rnd.randint(1, 30)}s",
    "cache_miss": lambda: f"cache miss key=session:{hexs(16)} ttl={rnd.randint(10, 3600)}",
    "cache_evict": lambda: f"cache evicted {rnd.randint(1, 5000)} entries ({rnd.randint(1, 900)} MB) in {rnd.randint(1, 99)}ms",
    "job_done": lambda: f"Job {uuid()} completed in {rnd.randint(1, 500)}.{rnd.randint(0, 9)}s with {rnd.randint(0, 3)} retries",
    "job_fail": lambda: f"Job {uuid()} failed: {rnd.choice(['timeout', 'out of memory', 'worker lost'])}",
    "disk": lambda: f"Disk usage on /dev/sd{rnd.choice('abc')}{rnd.randint(1, 4)} at {rnd.randint(50, 99)}% ({rnd.randint(1, 900)}GB free)",
    "conn_reset": lambda: f"Connection reset by peer {ip()}:{rnd.randint(1024, 65535)}",
    "conn_open": lambda: f"Opened connection to {rnd.choice(hosts)}:{rnd.choice([5432, 6379, 443])} in {rnd.randint(1, 500)}ms",
    "mail": lambda: f"Sent notification email to {rnd.choice(users)}@example.com subject=\"{rnd.choice(['Your order shipped', 'Password reset', 'Weekly report'])}\"",
    "cfg": lambda: f"Reloaded configuration from /etc/app/{rnd.choice(['app', 'db', 'cache'])}.yaml at {rnd.randint(2020, 2024)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}T0{rnd.randint(0, 9)}:1{rnd.randint(0, 9)}:2{rnd.randint(0, 9)}Z",
    "gc": lambda: f"GC pause young gen {rnd.randint(1, 200)}ms heap {rnd.randint(100, 4000)}M->{rnd.randint(50, 3000)}M",
    "shutdown": lambda: "Received SIGTERM, shutting down gracefully",
    "startup": lambda: "Server listening on 0.0.0.0:8080",
    "token": lambda: f"Refreshed token for client {rnd.choice(['web', 'ios', 'android', 'cli', 'partner-a', 'partner-b', 'batch'])} expires_in={rnd.randint(60, 86400)}",
    "lock": lambda: f"Acquired lock {hexs(24)} held by worker {rnd.randint(1, 64)}",
}
weights = {"shutdown": 1, "startup": 1, "vm_paused": 3, "vm_stopped": 2}
names = sorted(T)
pop = [n for n in names for _ in range(weights.get(n, 8))]
lines, truth = [], []
for _ in range(400):
    n = rnd.choice(pop)
    lines.append(T[n]())
    truth.append(n)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "labelled.log"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(here, "labelled.truth"), "w") as f:
    f.write("\n".join(truth) + "\n")
