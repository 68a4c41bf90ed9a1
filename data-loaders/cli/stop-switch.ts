// How a polling command (watch, report --watch) stops: Ctrl-C, SIGTERM or a call to stop() ends
// the wait between two polls at once, and the loop after it.

export interface StopSwitch {
  readonly stopping: boolean;
  stop(): void;
  /** Waits `seconds`, or less when the switch is thrown meanwhile. */
  pause(seconds: number): Promise<void>;
}

export function stopOnSignals(): StopSwitch {
  let stopping = false;
  let wake: () => void = () => {};
  const stop = () => {
    stopping = true;
    wake();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    get stopping() {
      return stopping;
    },
    stop,
    pause: (seconds) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, seconds * 1000);
      }),
  };
}
