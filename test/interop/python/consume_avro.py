#!/usr/bin/env python3
"""Interop check, Python side as consumer.

Reads `--count` records from a topic with Confluent's AvroDeserializer
(schemas fetched from the registry by the id in each record) and prints each
decoded value as one JSON line. Exits non-zero if they do not arrive in time.
"""
import argparse
import json
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", required=True)
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--timeout-s", type=float, default=30)
    args = parser.parse_args()

    deserializer = AvroDeserializer(SchemaRegistryClient({"url": args.registry}))
    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": args.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([args.topic])
    decoded = 0
    deadline = time.monotonic() + args.timeout_s
    try:
        while decoded < args.count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                print(f"consume error: {msg.error()}", file=sys.stderr)
                return 1
            value = deserializer(msg.value(), SerializationContext(msg.topic(), MessageField.VALUE))
            print(json.dumps({"key": (msg.key() or b"").decode("utf-8"), "value": value}, default=str), flush=True)
            decoded += 1
    finally:
        consumer.close()
    if decoded < args.count:
        print(f"only {decoded} of {args.count} records arrived within {args.timeout_s} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
