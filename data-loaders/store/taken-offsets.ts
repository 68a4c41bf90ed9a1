// Which Kafka offsets the store already holds, per topic and partition, so a record written
// twice under two object names (a connector restart with other rotation settings) counts once.
import {partitionName} from "../sources/sink-object-key.js";
import type {StoredObject} from "./manifest.js";

interface OffsetRange {
  key: string;
  start: number;
  /** Exclusive. */
  end: number;
}

export class TakenOffsets {
  private readonly ranges = new Map<string, OffsetRange[]>();

  /** `objects`: the stored objects, [key, object], whose offsets count as taken. */
  constructor(objects: Iterable<[string, StoredObject]> = []) {
    for (const [key, o] of objects) this.add(key, o.topic, o.kafka_partition, o.start_offset, o.records);
  }

  add(key: string, topic: string, partition: number, start: number, records: number): void {
    if (records === 0) return;
    const id = partitionName(topic, partition);
    let list = this.ranges.get(id);
    if (!list) this.ranges.set(id, (list = []));
    list.push({key, start, end: start + records});
  }

  remove(key: string, topic: string, partition: number): void {
    const list = this.ranges.get(partitionName(topic, partition));
    if (!list) return;
    const index = list.findIndex((r) => r.key === key);
    if (index >= 0) list.splice(index, 1);
  }

  /**
   * A predicate for the offsets, from `start` on, that objects other than `key` already hold.
   * Almost always no range overlaps, and the predicate is then a constant.
   */
  takenBy(key: string, topic: string, partition: number, start: number): (offset: number) => boolean {
    const overlapping = (this.ranges.get(partitionName(topic, partition)) ?? []).filter((r) => r.key !== key && r.end > start);
    if (overlapping.length === 0) return () => false;
    return (offset) => overlapping.some((r) => offset >= r.start && offset < r.end);
  }
}
