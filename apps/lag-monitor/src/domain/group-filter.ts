/**
 * Which consumer groups the monitor reports. An empty allowlist and no
 * prefixes mean every group; the monitor's own groups are always excluded.
 */
export class GroupFilter {
  constructor(
    private readonly allow: readonly string[],
    private readonly prefixes: readonly string[],
    private readonly exclude: readonly string[] = [],
  ) {}

  accepts(groupId: string): boolean {
    if (this.exclude.includes(groupId)) return false;
    if (this.allow.length === 0 && this.prefixes.length === 0) return true;
    return this.allow.includes(groupId) || this.prefixes.some((p) => groupId.startsWith(p));
  }
}
