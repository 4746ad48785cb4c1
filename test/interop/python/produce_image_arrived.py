#!/usr/bin/env python3
"""Interop check, Python side as producer.

Registers an Avro schema with Confluent's SchemaRegistryClient, exercises a
few more registry calls, and produces one record with AvroSerializer. Prints
one JSON line with what it did; exits non-zero with a message on any failure.
"""
import argparse
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registry", required=True)
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema-file", required=True)
    parser.add_argument("--record", required=True, help="the record as JSON")
    args = parser.parse_args()

    with open(args.schema_file, encoding="utf-8") as f:
        schema_str = f.read()
    record = json.loads(args.record)
    subject = f"{args.topic}-value"

    client = SchemaRegistryClient({"url": args.registry})
    client.set_compatibility(subject_name=subject, level="BACKWARD")
    schema_id = client.register_schema(subject, Schema(schema_str, "AVRO"))
    again = client.register_schema(subject, Schema(schema_str, "AVRO"))
    latest = client.get_latest_version(subject)
    looked_up = client.lookup_schema(subject, Schema(schema_str, "AVRO"))
    compatible = client.test_compatibility(subject, Schema(schema_str, "AVRO"))

    serializer = AvroSerializer(client, schema_str, conf={"auto.register.schemas": True})
    value = serializer(record, SerializationContext(args.topic, MessageField.VALUE))

    delivery_errors = []
    producer = Producer({"bootstrap.servers": args.brokers, "enable.idempotence": True})
    producer.produce(
        args.topic,
        key=record["imageId"].encode("utf-8"),
        value=value,
        on_delivery=lambda err, _msg: delivery_errors.append(str(err)) if err else None,
    )
    remaining = producer.flush(30)
    if remaining or delivery_errors:
        print(f"produce failed: {remaining} undelivered, errors {delivery_errors}", file=sys.stderr)
        return 1

    print(
        json.dumps(
            {
                "schema_id": schema_id,
                "schema_id_again": again,
                "latest_version": latest.version,
                "latest_schema_id": latest.schema_id,
                "lookup_version": looked_up.version,
                "compatible": compatible,
                "compatibility": client.get_compatibility(subject),
                "magic": value[0],
                "wire_schema_id": int.from_bytes(value[1:5], "big"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
