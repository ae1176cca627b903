#!/usr/bin/python3
"""confluent-kafka-python (librdkafka 2.0.2) consumer-group member for the Runnel group tests.

  confluent_group.py --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
                     [--instance-id I]

Subscribes to T in group G (offsets reset to earliest; --instance-id makes it a static member),
prints one JSON line per record {"p": partition, "o": offset, "k": key, "v": value} and
{"event": "assigned" | "revoked", "partitions": [...]} on rebalances, and commits synchronously
after every batch of records. Runs until killed.
"""
import argparse
import json
import sys

from confluent_kafka import Consumer


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--session-timeout-ms", type=int, default=6000)
    parser.add_argument("--instance-id")
    args = parser.parse_args()
    conf = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "client.id": args.client_id,
        "session.timeout.ms": args.session_timeout_ms,
        "heartbeat.interval.ms": 1000,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    }
    if args.instance_id:
        conf["group.instance.id"] = args.instance_id
    consumer = Consumer(conf)

    def on_assign(_consumer, partitions):
        emit({"event": "assigned", "partitions": sorted(p.partition for p in partitions)})

    def on_revoke(_consumer, partitions):
        emit({"event": "revoked", "partitions": sorted(p.partition for p in partitions)})

    consumer.subscribe([args.topic], on_assign=on_assign, on_revoke=on_revoke)
    while True:
        messages = consumer.consume(num_messages=50, timeout=0.2)
        consumed = False
        for m in messages:
            if m.error():
                emit({"event": "error", "error": str(m.error())})
                continue
            emit({"p": m.partition(), "o": m.offset(), "k": None if m.key() is None else m.key().decode("utf-8"), "v": m.value().decode("utf-8")})
            consumed = True
        if consumed:
            try:
                consumer.commit(asynchronous=False)
            except Exception as e:  # a commit refused during a rebalance is retried with the next batch
                emit({"event": "commit-failed", "error": str(e)})


if __name__ == "__main__":
    main()
