#!/usr/bin/python3
"""kafka-python (2.0.2) consumer-group member for the Runnel group tests. Run with /usr/bin/python3.

  kafka_python_group.py --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]

Subscribes to T in group G (offsets reset to earliest), prints one JSON line per record
{"p": partition, "o": offset, "k": key, "v": value}, {"event": "assigned", "partitions": [...]} after each
rebalance, and commits synchronously after every poll that returned records. Runs until killed.
"""
import argparse
import json
import sys

from kafka import KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({"event": "revoked", "partitions": sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({"event": "assigned", "partitions": sorted(tp.partition for tp in assigned)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--session-timeout-ms", type=int, default=6000)
    args = parser.parse_args()
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        client_id=args.client_id,
        api_version=(2, 5, 0),
        session_timeout_ms=args.session_timeout_ms,
        heartbeat_interval_ms=1000,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=50,
    )
    consumer.subscribe([args.topic], listener=Listener())
    while True:
        batches = consumer.poll(timeout_ms=200)
        consumed = False
        for tp, records in batches.items():
            for r in records:
                emit({"p": tp.partition, "o": r.offset, "k": None if r.key is None else r.key.decode("utf-8"), "v": r.value.decode("utf-8")})
                consumed = True
        if consumed:
            consumer.commit()


if __name__ == "__main__":
    main()
