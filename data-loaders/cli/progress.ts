// How far a long `weblog sync` has got: objects read of those planned, events per second and time
// left. On a terminal one line updated in place (\r, on stderr); otherwise (CI, a log file) a plain
// line every few seconds, since \r would leave every update in the log.
import type {SyncProgress} from "../sync.js";

export interface ProgressOptions {
  /** Whether the stream is a terminal; by default what the stream says. */
  isTTY?: boolean;
  /** Least time between two updates on a terminal. */
  redrawMs?: number;
  /** Time between two plain lines when not on a terminal. */
  plainEveryMs?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

export interface ProgressLine {
  /** Feed from syncStore's onProgress. */
  update(progress: SyncProgress): void;
  /** Prints a message as its own line, keeping the progress line below it. */
  log(message: string): void;
  /** Ends the progress line (a terminal's cursor goes to the next line). */
  end(): void;
}

export function createProgressLine(stream: NodeJS.WritableStream & {isTTY?: boolean}, options: ProgressOptions = {}): ProgressLine {
  const isTTY = options.isTTY ?? stream.isTTY === true;
  const redrawMs = options.redrawMs ?? 200;
  const plainEveryMs = options.plainEveryMs ?? 10_000;
  const now = options.now ?? (() => performance.now());
  let started: number | null = null;
  let last: SyncProgress | null = null;
  let shownAt = -Infinity;
  // True while the terminal's cursor sits at the end of a progress line.
  let onLine = false;

  const show = (progress: SyncProgress) => {
    const text = describeProgress(progress, now() - started!);
    shownAt = now();
    if (isTTY) {
      stream.write(`\r${text}\x1b[K`);
      onLine = true;
    } else {
      stream.write(`${text}\n`);
    }
  };

  return {
    update(progress) {
      started ??= now();
      last = progress;
      const finished = progress.objectsDone === progress.objectsTotal;
      if (now() - shownAt >= (isTTY ? redrawMs : plainEveryMs) || (finished && isTTY)) show(progress);
    },
    log(message) {
      if (onLine) stream.write("\r\x1b[K");
      stream.write(`${message}\n`);
      onLine = false;
      if (isTTY && last) show(last);
    },
    end() {
      if (onLine) stream.write("\n");
      onLine = false;
    },
  };
}

/** "sync: 1,200 of 10,000 objects read, 97,000 events/s, about 1 min 30 s left" */
export function describeProgress({objectsDone, objectsTotal, events}: SyncProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  let text = `sync: ${objectsDone.toLocaleString("en")} of ${objectsTotal.toLocaleString("en")} objects read`;
  if (seconds >= 1 && objectsDone > 0) {
    text += `, ${Math.round(events / seconds).toLocaleString("en")} events/s`;
    if (objectsDone < objectsTotal) text += `, about ${duration((seconds * (objectsTotal - objectsDone)) / objectsDone)} left`;
  }
  return text;
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
