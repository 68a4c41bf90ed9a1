// CIDR arithmetic for deriving expected lookups from MaxMind's test-data JSON: which network of the
// source data holds an address (the longest prefix wins, as in the database's search tree).
import {isIP} from "node:net";

export interface Network<Record> {
  cidr: string;
  /** The network's first address, as written in the source ("1.0.0.0", "::214.0.0.0", "2001:218::"). */
  firstAddress: string;
  /** The address as a 128-bit number; IPv4 sits at ::a.b.c.d, where MaxMind DBs keep it. */
  start: bigint;
  prefixLength: number;
  record: Record;
}

/** MaxMind's source-data files: an array of one-key objects, {"network/len": record}. */
export function networksOf<Record>(sourceData: Array<{[cidr: string]: Record}>): Network<Record>[] {
  return sourceData.map((entry) => {
    const [cidr, record] = Object.entries(entry)[0];
    const [address, length] = cidr.split("/");
    const v4 = isIP(address) === 4;
    const prefixLength = Number(length) + (v4 ? 96 : 0);
    return {cidr, firstAddress: address, start: addressBits(address), prefixLength, record};
  });
}

/** The most specific network containing the address, or undefined. */
export function containingNetwork<Record>(networks: Network<Record>[], address: string): Network<Record> | undefined {
  const bits = addressBits(address);
  let best: Network<Record> | undefined;
  for (const network of networks) {
    const hostBits = BigInt(128 - network.prefixLength);
    if (bits >> hostBits === network.start >> hostBits && (best === undefined || network.prefixLength > best.prefixLength)) best = network;
  }
  return best;
}

export function addressBits(address: string): bigint {
  const version = isIP(address);
  if (version === 4) return ipv4Bits(address);
  if (version !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address;
  let tail: bigint | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tail = ipv4Bits(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined ? [] : rest === "" ? [] : rest.split(":");
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  let bits = 0n;
  for (const group of groups) bits = (bits << 16n) | BigInt(parseInt(group, 16));
  return tail === null ? bits : (bits & ~0xffffffffn) | tail;
}

function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}
