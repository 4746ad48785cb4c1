/** What the lag monitor's poller needs from the configuration. */
export interface LagMonitorSettings {
  readonly pollIntervalMs: number;
  readonly windowSize: number;
  readonly timeTablePoints: number;
  readonly watchedTopics: readonly string[];
  readonly acceptsGroup: (group: string) => boolean;
}
