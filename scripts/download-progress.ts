/**
 * Download progress for a person at a terminal: one line per file, rewritten in place on a TTY,
 * and a line every few seconds otherwise (logs, CI), always with a final line per file.
 */
export interface DownloadProgressOptions {
  /** Where lines go. Default `process.stdout`. */
  output?: NodeJS.WriteStream;
  /** Least time between two lines of one file when the output is not a terminal, in milliseconds. Default 5,000. */
  lineIntervalMillis?: number;
  /** Least time between two in-place updates on a terminal, in milliseconds. Default 250. */
  terminalIntervalMillis?: number;
}

interface FileProgress {
  startedAt: number;
  lastShownAt: number;
  finished: boolean;
}

const mebibyte = 2 ** 20;

/** A reporter to pass as `onProgress` to the model-file downloads. */
export function downloadProgress(options: DownloadProgressOptions = {}): (label: string, receivedBytes: number, totalBytes: number | undefined) => void {
  const output = options.output ?? process.stdout;
  const terminal = output.isTTY === true;
  const interval = terminal ? (options.terminalIntervalMillis ?? 250) : (options.lineIntervalMillis ?? 5_000);
  const files = new Map<string, FileProgress>();
  return (label, receivedBytes, totalBytes) => {
    const now = Date.now();
    let file = files.get(label);
    if (file === undefined || (file.finished && receivedBytes < (totalBytes ?? Infinity))) {
      file = { startedAt: now, lastShownAt: 0, finished: false };
      files.set(label, file);
    }
    const finished = totalBytes !== undefined && receivedBytes >= totalBytes;
    if (file.finished || (!finished && now - file.lastShownAt < interval)) return;
    file.lastShownAt = now;
    file.finished = finished;
    const line = describe(label, receivedBytes, totalBytes, now - file.startedAt);
    if (terminal) output.write(`\r\x1b[2K${line}${finished ? "\n" : ""}`);
    else output.write(`${line}\n`);
  };
}

function describe(label: string, receivedBytes: number, totalBytes: number | undefined, elapsedMillis: number): string {
  const received = `${(receivedBytes / mebibyte).toFixed(1)} MiB`;
  const total = totalBytes === undefined ? "" : ` of ${(totalBytes / mebibyte).toFixed(1)} MiB (${Math.floor((100 * receivedBytes) / totalBytes)}%)`;
  const rate = elapsedMillis < 500 ? "" : `, ${(receivedBytes / mebibyte / (elapsedMillis / 1000)).toFixed(1)} MiB/s`;
  return `  downloading ${label}: ${received}${total}${rate}`;
}
