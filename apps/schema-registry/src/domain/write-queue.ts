/**
 * Runs async tasks one at a time, in arrival order (an in-process mutex).
 * A failed task does not stop the ones queued after it.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
