"""The raw rate of the same librdkafka, driven from Python (confluent-kafka),
with the same message size, keys and idempotence as the Swift benchmark.
Prints lines in the Swift benchmark's format: name count seconds per-second."""
import argparse
import time
import uuid

from confluent_kafka import Consumer, Producer


def produce(brokers, topic, count):
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True,
                         "partitioner": "murmur2_random", "linger.ms": 5})
    payload = b"a" * 100
    keys = [f"family-{n}".encode() for n in range(1000)]
    start = time.perf_counter()
    for number in range(count):
        while True:
            try:
                producer.produce(topic, payload, keys[number % 1000])
                break
            except BufferError:
                producer.poll(0.001)
        if number % 10000 == 0:
            producer.poll(0)
    producer.flush(300)
    elapsed = time.perf_counter() - start
    print(f"python-kafka-produce {count} {elapsed:.3f} {count / elapsed:.0f}")


def consume(brokers, topic, count):
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"bench-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
    consumer.subscribe([topic])
    first = consumer.consume(1000, 60)
    start = time.perf_counter()
    received = len(first)
    consumer.commit(asynchronous=False)
    while received < count:
        batch = consumer.consume(1000, 10)
        if not batch:
            break
        received += len(batch)
        consumer.commit(asynchronous=False)
    elapsed = time.perf_counter() - start
    consumer.close()
    print(f"python-kafka-consume {received} {elapsed:.3f} {received / elapsed:.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    arguments = parser.parse_args()
    (produce if arguments.mode == "produce" else consume)(arguments.brokers, arguments.topic, arguments.count)
