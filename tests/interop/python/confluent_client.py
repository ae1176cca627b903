#!/usr/bin/python3
"""confluent-kafka-python (1.7.0, librdkafka 2.0.2) driver for the Runnel interop tests.

Run with /usr/bin/python3 (Debian's python3-confluent-kafka lives in dist-packages).

Sub-commands (all print one JSON object per line on stdout unless noted):
  produce          reads records as JSON lines {"k": key, "v": value, "h": {name: value},
                   "p": partition} from stdin ("p" defaults to 0), sends each to its partition and prints
                   {"i": index, "partition": p, "offset": o} per acknowledged record,
                   or {"i": index, "error": "..."} per failed one.
  durable-produce  sends numbered records key=str(n), value="durable-<n>" for
                   n = start, start+1, ... (at most --count of them) with acks=all and
                   prints "ACK <n> <offset>" (plain text, flushed) for each acknowledged
                   one.  It is meant to be SIGKILLed by the test at any moment.
  consume          reads partitions 0..--partitions-1 (default: partition 0) from the beginning to
                   their ends (partition EOF), with manual assignment and no commits, printing
                   {"partition", "offset", "key", "value",
                   "headers": [[name, value], ...], "timestamp"} per record.
  create / delete  AdminClient.create_topics / delete_topics
  describe         AdminClient.describe_configs for a topic: {"configs": {name: {...}}}
  alter            AdminClient.alter_configs (legacy AlterConfigs) with --set NAME=VALUE ...
  features         which optional AdminClient calls this client version has.
  consume ... --isolation read_committed|read_uncommitted   as consume, at that isolation level (default read_committed, librdkafka's).
  transactions     with transactional.id --transactional-id, commits a transaction of records
                   "c1", "c2", aborts one of "a1", commits one of "c3" (partition 0), and prints
                   {"done": true}; any failure exits non-zero.
"""
import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def produce(args):
    conf = {
        "bootstrap.servers": args.bootstrap,
        "acks": args.acks,
        "compression.codec": args.compression,
        "linger.ms": 5,
        "message.timeout.ms": 60000,
    }
    if args.idempotence:
        conf["enable.idempotence"] = True
    producer = Producer(conf)
    results = {}

    def delivered(index):
        def callback(err, msg):
            if err is not None:
                results[index] = {"i": index, "error": str(err)}
            else:
                results[index] = {"i": index, "partition": msg.partition(), "offset": msg.offset()}
        return callback

    count = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rec = json.loads(line)
        headers = [(name, value.encode("utf-8")) for name, value in rec.get("h", {}).items()]
        while True:
            try:
                producer.produce(args.topic, value=rec["v"].encode("utf-8"),
                                 key=None if rec.get("k") is None else rec["k"].encode("utf-8"),
                                 partition=rec.get("p", 0), headers=headers or None, on_delivery=delivered(count))
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        count += 1
    remaining = producer.flush(120)
    if remaining:
        raise SystemExit("%d records still undelivered after flush" % remaining)
    for i in range(count):
        emit(results.get(i, {"i": i, "error": "no delivery report"}))


def decode(b):
    return None if b is None else b.decode("utf-8")


def consume(args):
    # librdkafka wants a group.id even for a manually assigned consumer; nothing is committed to it.
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "runnel-interop-" + args.topic,
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
        "isolation.level": args.isolation,
    })
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(args.partitions)])
    ended = set()
    deadline = time.monotonic() + args.timeout
    try:
        while len(ended) < args.partitions:
            if time.monotonic() > deadline:
                raise SystemExit("timed out with partitions %s of %d at their end" % (sorted(ended), args.partitions))
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    ended.add(msg.partition())
                    continue
                raise SystemExit("consume error: %s" % msg.error())
            emit({
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": decode(msg.key()),
                "value": decode(msg.value()),
                "headers": [[name, decode(value)] for name, value in (msg.headers() or [])],
                "timestamp": msg.timestamp()[1],
            })
    finally:
        consumer.close()


def durable_produce(args):
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": 300000,
    })

    def callback(err, msg):
        if err is None:
            sys.stdout.write("ACK %s %d\n" % (msg.key().decode("ascii"), msg.offset()))
            sys.stdout.flush()
        else:
            sys.stderr.write("ERR %s %s\n" % (msg.key().decode("ascii"), err))
            sys.stderr.flush()

    for n in range(args.start, args.start + args.count):
        while True:
            try:
                producer.produce(args.topic, key=str(n).encode("ascii"),
                                 value=("durable-%d" % n).encode("ascii"), partition=0,
                                 on_delivery=callback)
                break
            except BufferError:
                producer.poll(0.05)
        # Pace the stream (about 50 records per 10 ms at most) so that a run of a few
        # seconds stays a few ten thousand records.
        producer.poll(0.01 if n % 50 == 0 else 0)
    producer.flush(120)
    sys.stdout.write("DONE\n")
    sys.stdout.flush()


def admin(args):
    return AdminClient({"bootstrap.servers": args.bootstrap})


# Keep the AdminClient referenced until its futures are resolved: once it is garbage
# collected the handle is destroyed and pending futures fail with _DESTROY.
def create(args):
    client = admin(args)
    futures = client.create_topics(
        [NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
        operation_timeout=30, request_timeout=60)
    for topic, future in futures.items():
        future.result(timeout=60)
        emit({"created": topic})


def delete(args):
    client = admin(args)
    futures = client.delete_topics([args.topic], operation_timeout=30, request_timeout=60)
    for topic, future in futures.items():
        future.result(timeout=60)
        emit({"deleted": topic})


def describe(args):
    resource = ConfigResource(ConfigResource.Type.TOPIC, args.topic)
    client = admin(args)
    futures = client.describe_configs([resource], request_timeout=60)
    configs = {}
    for _res, future in futures.items():
        for name, entry in future.result(timeout=60).items():
            configs[name] = {
                "value": entry.value,
                "is_default": entry.is_default,
                "is_read_only": entry.is_read_only,
                "source": int(entry.source),
            }
    emit({"configs": configs})


def alter(args):
    # The legacy AlterConfigs (API 33): the given configs replace the topic's whole set.
    updates = dict(pair.split("=", 1) for pair in args.set)
    resource = ConfigResource(ConfigResource.Type.TOPIC, args.topic, set_config=updates)
    client = admin(args)
    futures = client.alter_configs([resource], request_timeout=60)
    for _res, future in futures.items():
        future.result(timeout=60)
    emit({"altered": args.topic, "configs": updates})


def features(_args):
    emit({
        "incremental_alter_configs": hasattr(AdminClient, "incremental_alter_configs"),
        "alter_configs": hasattr(AdminClient, "alter_configs"),
    })


def transactions(args):
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "transactional.id": args.transactional_id,
        "linger.ms": 5,
    })
    producer.init_transactions(30)
    for values, commit in ((["c1", "c2"], True), (["a1"], False), (["c3"], True)):
        producer.begin_transaction()
        for value in values:
            producer.produce(args.topic, key=value, value=value, partition=0)
        producer.flush(30)
        if commit:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)
    emit({"done": True})


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--acks", default="all")
    p.add_argument("--compression", default="none", choices=["none", "gzip", "snappy", "lz4", "zstd"])
    p.add_argument("--idempotence", action="store_true")
    p.set_defaults(fn=produce)
    c = sub.add_parser("consume")
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--timeout", type=float, default=120)
    c.add_argument("--partitions", type=int, default=1)
    c.add_argument("--isolation", default="read_committed", choices=["read_committed", "read_uncommitted"])
    c.set_defaults(fn=consume)
    t = sub.add_parser("transactions")
    t.add_argument("--bootstrap", required=True)
    t.add_argument("--topic", required=True)
    t.add_argument("--transactional-id", required=True)
    t.set_defaults(fn=transactions)
    d = sub.add_parser("durable-produce")
    d.add_argument("--bootstrap", required=True)
    d.add_argument("--topic", required=True)
    d.add_argument("--start", type=int, required=True)
    d.add_argument("--count", type=int, default=100000)
    d.set_defaults(fn=durable_produce)
    for name, fn in (("create", create), ("delete", delete), ("describe", describe)):
        a = sub.add_parser(name)
        a.add_argument("--bootstrap", required=True)
        a.add_argument("--topic", required=True)
        if name == "create":
            a.add_argument("--partitions", type=int, default=1)
        a.set_defaults(fn=fn)
    al = sub.add_parser("alter")
    al.add_argument("--bootstrap", required=True)
    al.add_argument("--topic", required=True)
    al.add_argument("--set", action="append", required=True, metavar="NAME=VALUE")
    al.set_defaults(fn=alter)
    f = sub.add_parser("features")
    f.set_defaults(fn=features)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
