// What a batch holds as a store would get it: each event with its strings resolved from the
// dictionaries, its rejected lines, and how many distinct values each dictionary holds. Two
// batches of the same events compare equal whatever ids their dictionaries gave.
import {isNullIn} from "../../data-loaders/write/columns.js";
import type {EventBatch} from "../../data-loaders/write/event-batch.js";

export function batchContents(batch: EventBatch) {
  const value = (column: {values: Float64Array | Int32Array; nulls: {bytes: Uint8Array | null}}, row: number) => (isNullIn(column.nulls.bytes, row) ? null : column.values[row]);
  const text = (ids: {values: Int32Array; nulls: {bytes: Uint8Array | null}}, values: readonly string[], row: number) => {
    const id = value(ids, row);
    return id === null ? null : values[id];
  };
  const events = Array.from({length: batch.size}, (_, row) => {
    const urlId = value(batch.urlId, row);
    const referrerId = value(batch.referrerId, row);
    return {
      numbers: [batch.ts, batch.ingestTs, batch.kafkaOffset, batch.bytes, batch.durationUs, batch.bytesReceived, batch.bytesSent, batch.status, batch.serverPort].map((column) => value(column, row)),
      origin: batch.origins[batch.originId.values[row]],
      client: text(batch.clientId, batch.clients.values, row),
      agent: text(batch.agentId, batch.agents.values, row),
      url: urlId === null ? null : {url: batch.urls.values[urlId], ...batch.urlParts[urlId]},
      referrer: referrerId === null ? null : {referrer: batch.referrers.values[referrerId], host: batch.referrerHosts[referrerId]},
      words: [batch.vhostId, batch.identId, batch.authUserId, batch.methodId, batch.protocolId].map((ids) => text(ids, batch.words.values, row)),
      eventId: text(batch.eventIdRef, batch.eventIds.values, row),
    };
  });
  const sizes = {clients: batch.clients.size, agents: batch.agents.size, urls: batch.urls.size, urlParts: batch.urlParts.length, referrers: batch.referrers.size, referrerHosts: batch.referrerHosts.length, words: batch.words.size, origins: batch.origins.length};
  return {events, rejected: batch.rejected, sizes};
}

