/**
 * The dedicated worker's global scope, typed without the WebWorker library (the page's
 * code is checked against the DOM library, and the two cannot be loaded together).
 */
export interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

export function workerScope(): WorkerScope {
  return self as unknown as WorkerScope;
}
