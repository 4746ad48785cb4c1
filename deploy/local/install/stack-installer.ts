/**
 * One thing the stack installs into the stack dir (or the system, for apt).
 * `isInstalled` is cheap and has no side effects; `install` is called only when
 * it returned false, leaves either a complete install or none (work happens in
 * a temporary dir renamed into place), and fails with a StackError in plain words.
 */
export interface StackInstaller {
  readonly name: string;
  isInstalled(): boolean;
  install(log: (line: string) => void): Promise<void>;
}
