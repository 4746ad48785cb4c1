/** ms since the epoch as a DateTime64(3, 'UTC') literal, `2025-07-01 12:00:00.000` (unambiguous in JSONEachRow). */
export function clickHouseTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}
