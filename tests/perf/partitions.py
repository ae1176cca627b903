#!/usr/bin/python3
"""Partition-count benchmark (issue 12): one Release silo on a fresh data folder, or three on an Azurite table.

One silo (the default):
  /usr/bin/python3 tests/perf/partitions.py [--counts 100,1000,10000] [--records 200000] [--idle-s 30]
For each count it creates a topic with that many partitions, touches every partition once (one record each, timed:
the first-touch cost per partition, which includes activating the partition), then times --records keyed records of
--record-size bytes from a librdkafka producer (python3-confluent-kafka, librdkafka's linger and batch defaults,
acks=all) and reports records/s and the silo's CPU seconds over the timed part (utime+stime from /proc/<pid>/stat).
After the last count it leaves the silo idle and reports its CPU % of one core over --idle-s seconds, and its RSS.

Three silos (--silos 3): Azurite's table service as the membership table, one shared blob folder; topics totalling
--cluster-partitions partitions (10,000 each) are created and touched, a sample of --sample records is produced
and read back, then each silo's RSS and idle CPU % are reported.

Every process it starts is stopped at the end (also on Ctrl+C). Ports: 127.0.0.1:25000-25999 (--port-base).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def cpu_seconds(pid):
    # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command name's closing parenthesis.
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class Proc:
    """A child process whose output goes to a file; waits for a line containing `ready_text`."""

    def __init__(self, name, argv, log_path, ready_text, env=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.p = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            self._wait_ready(ready_text)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, ready_text):
        name, log_path = self.name, self.log_path
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{open(log_path).read()[-3000:]}")
            with open(log_path) as f:
                if ready_text in f.read():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after 60 s:\n{open(log_path).read()[-3000:]}")

    @property
    def pid(self):
        return self.p.pid

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def start_silo(args, work, node, extra):
    base = args.port_base + node
    argv = ["dotnet", args.silo_dll, "--port", str(base), "--http-port", str(base + 100), "--silo-port", str(base + 200),
            "--gateway-port", "0", "--node-id", str(node), "--data", os.path.join(work, f"node{node}"),
            "--auto-create-topics", "false"] + extra
    env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
    return Proc(f"silo{node}", argv, os.path.join(work, f"silo{node}.log"), "ready kafka=", env)


def create_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(name, partitions, 1)], request_timeout=120).values():
        future.result()


def produce_all(producer, items):
    """Produces (topic, partition or None, key, value) items, retrying while librdkafka's queue is full; flushes."""
    errors = []

    def report(err, _msg):
        if err is not None:
            errors.append(err)

    for topic, partition, key, value in items:
        while True:
            try:
                if partition is None:
                    producer.produce(topic, value, key, on_delivery=report)
                else:
                    producer.produce(topic, value, key, partition=partition, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.005)
        producer.poll(0)
    left = producer.flush(300)
    if left or errors:
        raise RuntimeError(f"{left} records not delivered, {len(errors)} errors, first: {errors[:1]}")


def new_producer(bootstrap):
    # librdkafka's own linger and batch defaults; acks=all waits for the silo's group-commit fsync.
    return Producer({"bootstrap.servers": bootstrap, "acks": "all"})


def touch(bootstrap, topic, partitions):
    producer = new_producer(bootstrap)
    produce_all(producer, [(topic, p, None, b"t") for p in range(1)])  # metadata and connection, not timed
    start = time.perf_counter()
    produce_all(producer, [(topic, p, None, b"touch") for p in range(1, partitions)])
    elapsed = time.perf_counter() - start
    return elapsed * 1000 / max(partitions - 1, 1)


def start_perf(perf_out, pids):
    """With --perf FILE: samples the silo with `perf record -g` (run the silo with DOTNET_PerfMapEnabled=1)."""
    if not perf_out:
        return None
    recorder = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", perf_out, "-p", ",".join(map(str, pids))],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    return recorder


def stop_perf(recorder):
    if recorder is not None:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(30)


def timed_load(bootstrap, topic, records, size, silo_pids, perf_out=None):
    value = b"v" * size
    keys = [b"key-%d" % i for i in range(records)]
    producer = new_producer(bootstrap)
    produce_all(producer, [(topic, None, b"warm", value)])
    recorder = start_perf(perf_out, silo_pids)
    cpu0 = sum(cpu_seconds(p) for p in silo_pids)
    client0 = time.process_time()
    start = time.perf_counter()
    produce_all(producer, ((topic, None, k, value) for k in keys))
    elapsed = time.perf_counter() - start
    cpu = sum(cpu_seconds(p) for p in silo_pids) - cpu0
    client = time.process_time() - client0
    stop_perf(recorder)
    return records / elapsed, cpu, client


def idle_cpu(silos, seconds, settle):
    time.sleep(settle)
    before = [cpu_seconds(s.pid) for s in silos]
    time.sleep(seconds)
    return [100 * (cpu_seconds(s.pid) - b) / seconds for s, b in zip(silos, before)]


def read_back(bootstrap, topic, partitions, count):
    """Reads `count` records from the first partitions of `topic` (the touch record included)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "partitions-bench", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    got = 0
    deadline = time.time() + 60
    while got < count and time.time() < deadline:
        for msg in consumer.consume(1000, 1.0):
            if msg.error() is None:
                got += 1
    consumer.close()
    return got


def one_silo(args, work):
    silo = start_silo(args, work, 0, args.silo_arg)
    procs = [silo]
    try:
        bootstrap = f"127.0.0.1:{args.port_base}"
        print(f"silo pid {silo.pid}, {args.silo_dll}", flush=True)
        print("partitions  first-touch ms/partition  records/s  silo CPU s  CPU ms/1k records  producer CPU s", flush=True)
        for count in args.counts:
            topic = f"p{count}"
            create_topic(bootstrap, topic, count)
            touch_ms = touch(bootstrap, topic, count)
            rate, cpu, client = timed_load(bootstrap, topic, args.records, args.record_size, [silo.pid], args.perf and f"{args.perf}.{count}")
            print(f"{count:>10}  {touch_ms:>24.3f}  {rate:>9,.0f}  {cpu:>10.2f}  {1000 * cpu / args.records * 1000:>17.1f}  {client:>14.2f}", flush=True)
        idle = idle_cpu(procs, args.idle_s, args.settle_s)[0]
        print(f"idle: {idle:.2f}% of one core over {args.idle_s} s ({sum(args.counts):,} partitions touched), RSS {rss_mib(silo.pid):,.0f} MiB", flush=True)
    finally:
        for p in procs:
            p.stop()


def three_silos(args, work):
    azurite_main = os.path.join(ROOT, "tests/interop/azure/node_modules/azurite/dist/src/table/main.js")
    table_port = args.port_base + 90
    procs = []
    try:
        procs.append(Proc("azurite", ["node", azurite_main, "--tablePort", str(table_port), "--tableHost", "127.0.0.1",
                                      "--location", os.path.join(work, "azurite"), "--silent", "--skipApiVersionCheck",
                                      "--loose", "--disableTelemetry"],
                          os.path.join(work, "azurite.log"), "successfully started"))
        tables = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
                  f"TableEndpoint=http://127.0.0.1:{table_port}/devstoreaccount1;")
        extra = ["--clustering", "azure-table", "--clustering-connection-string", tables, "--cluster-id", "bench",
                 "--blob-store", "local", "--blob-path", os.path.join(work, "shared-blobs")] + args.silo_arg
        silos = []
        for node in range(args.silos):
            silos.append(start_silo(args, work, node, extra))
            procs.append(silos[-1])
        bootstrap = ",".join(f"127.0.0.1:{args.port_base + n}" for n in range(args.silos))
        wait_brokers(bootstrap, args.silos)
        per_topic = 10_000
        topics = [(f"c{i}", min(per_topic, args.cluster_partitions - i * per_topic))
                  for i in range((args.cluster_partitions + per_topic - 1) // per_topic)]
        start = time.perf_counter()
        for name, count in topics:
            create_topic(bootstrap, name, count)
        print(f"created {args.cluster_partitions:,} partitions in {len(topics)} topics: {time.perf_counter() - start:.1f} s", flush=True)
        for name, count in topics:
            print(f"{name}: first touch {touch(bootstrap, name, count):.3f} ms/partition", flush=True)
        rate, cpu, _ = timed_load(bootstrap, topics[0][0], args.sample, args.record_size, [s.pid for s in silos])
        print(f"sample: {args.sample:,} keyed records to {topics[0][0]}: {rate:,.0f} records/s, silo CPU {cpu:.2f} s", flush=True)
        got = read_back(bootstrap, topics[0][0], 100, 100)
        print(f"read back {got} records from 100 partitions of {topics[0][0]}", flush=True)
        idle = idle_cpu(silos, args.idle_s, args.settle_s)
        for node, silo in enumerate(silos):
            print(f"silo {node}: RSS {rss_mib(silo.pid):,.0f} MiB, idle {idle[node]:.2f}% of one core over {args.idle_s} s", flush=True)
    finally:
        for p in reversed(procs):
            p.stop()


def wait_brokers(bootstrap, count):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    deadline = time.time() + 60
    while time.time() < deadline:
        if len(admin.list_topics(timeout=10).brokers) == count:
            return
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {count} brokers after 60 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--silo-dll", default=os.path.join(ROOT, "Silo/bin/Release/net10.0/Runnel.Silo.dll"))
    parser.add_argument("--counts", default="100,1000,10000", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--record-size", type=int, default=100)
    parser.add_argument("--idle-s", type=int, default=30)
    parser.add_argument("--settle-s", type=int, default=5, help="wait after the load before the idle measurement")
    parser.add_argument("--silos", type=int, default=1, choices=[1, 3])
    parser.add_argument("--cluster-partitions", type=int, default=30_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--port-base", type=int, default=25092)
    parser.add_argument("--silo-arg", action="append", default=[], help="extra silo argument (repeatable)")
    parser.add_argument("--perf", help="perf record the silo during each timed load into FILE.<count>")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()
    if not os.path.exists(args.silo_dll):
        sys.exit(f"{args.silo_dll} not found: dotnet build Silo -c Release")
    work = tempfile.mkdtemp(prefix="runnel-partitions.")
    try:
        (one_silo if args.silos == 1 else three_silos)(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
