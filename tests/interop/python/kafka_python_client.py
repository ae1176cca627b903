#!/usr/bin/python3
"""kafka-python 2.0.2 driver for the Runnel interop tests.

Run with /usr/bin/python3 (Debian's python3-kafka lives in dist-packages).
Version probing is left on: no api_version argument is ever passed.

Sub-commands (all print one JSON object per line on stdout):
  produce   reads records as JSON lines {"k": key, "v": value, "h": {name: value}, "p": partition}
            from stdin ("p" defaults to 0), sends each to its partition and prints
            {"i": index, "partition": p, "offset": o} per acknowledged record.
  consume   reads partitions 0..--partitions-1 (default: partition 0) from the beginning to
            the end offsets observed at start, without a consumer group, printing
            {"partition", "offset", "key", "value", "headers": [[name, value], ...], "timestamp"}.
  create    KafkaAdminClient.create_topics
  delete    KafkaAdminClient.delete_topics
  codecs    prints which compression codecs kafka-python can use here.
"""
import argparse
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka import codec as kafka_codec
from kafka.admin import NewTopic


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def decode(b):
    return None if b is None else b.decode("utf-8")


def produce(args):
    compression = None if args.compression == "none" else args.compression
    acks = "all" if args.acks == "all" else int(args.acks)
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        acks=acks,
        compression_type=compression,
        linger_ms=args.linger_ms,
        request_timeout_ms=30000,
        max_block_ms=60000,
    )
    futures = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rec = json.loads(line)
        key = rec.get("k")
        headers = [(name, value.encode("utf-8")) for name, value in rec.get("h", {}).items()]
        futures.append(producer.send(
            args.topic,
            key=None if key is None else key.encode("utf-8"),
            value=rec["v"].encode("utf-8"),
            headers=headers,
            partition=rec.get("p", 0),
        ))
    producer.flush(timeout=120)
    for i, future in enumerate(futures):
        md = future.get(timeout=60)
        emit({"i": i, "partition": md.partition, "offset": md.offset})
    producer.close(timeout=10)


def consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    partitions = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    deadline = time.monotonic() + args.timeout
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        if time.monotonic() > deadline:
            raise SystemExit("timed out at positions %s of %s" % (
                [consumer.position(tp) for tp in partitions], [ends[tp] for tp in partitions]))
        for records in consumer.poll(timeout_ms=500).values():
            for m in records:
                emit({
                    "partition": m.partition,
                    "offset": m.offset,
                    "key": decode(m.key),
                    "value": decode(m.value),
                    "headers": [[name, decode(value)] for name, value in (m.headers or [])],
                    "timestamp": m.timestamp,
                })
    consumer.close()


def create(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    response = admin.create_topics(
        [NewTopic(name=args.topic, num_partitions=args.partitions, replication_factor=1)],
        timeout_ms=30000)
    emit({"created": args.topic, "errors": [list(e[:2]) for e in response.topic_errors]})
    admin.close()


def delete(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    response = admin.delete_topics([args.topic], timeout_ms=30000)
    emit({"deleted": args.topic, "errors": [list(e[:2]) for e in response.topic_error_codes]})
    admin.close()


def codecs(_args):
    emit({
        "gzip": kafka_codec.has_gzip(),
        "snappy": kafka_codec.has_snappy(),
        "lz4": kafka_codec.has_lz4(),
        "zstd": kafka_codec.has_zstd(),
    })


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("produce")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--acks", default="all")
    p.add_argument("--compression", default="none", choices=["none", "gzip", "snappy", "lz4", "zstd"])
    p.add_argument("--linger-ms", type=int, default=5)
    p.set_defaults(fn=produce)
    c = sub.add_parser("consume")
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--timeout", type=float, default=60)
    c.add_argument("--partitions", type=int, default=1)
    c.set_defaults(fn=consume)
    cr = sub.add_parser("create")
    cr.add_argument("--bootstrap", required=True)
    cr.add_argument("--topic", required=True)
    cr.add_argument("--partitions", type=int, default=1)
    cr.set_defaults(fn=create)
    d = sub.add_parser("delete")
    d.add_argument("--bootstrap", required=True)
    d.add_argument("--topic", required=True)
    d.set_defaults(fn=delete)
    k = sub.add_parser("codecs")
    k.set_defaults(fn=codecs)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
