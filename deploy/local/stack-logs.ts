import { existsSync, readdirSync } from 'node:fs';
import { tailFile } from './process/log-tail';
import { StackError } from './stack-error';
import { StackLayout } from './stack-layout';

/**
 * The tail of each matching log: `component` is a service name (kafka-2), or a
 * prefix of several (kafka), or undefined for all.
 */
export function stackLogs(stackDir: string, component: string | undefined, lines: number): string {
  const layout = new StackLayout(stackDir);
  const all = existsSync(layout.logsDir)
    ? readdirSync(layout.logsDir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.replace(/\.log$/, ''))
        .sort()
    : [];
  const chosen = component === undefined ? all : all.filter((name) => name === component || name.startsWith(`${component}-`));
  if (chosen.length === 0) {
    throw new StackError(component === undefined ? `no logs yet in ${layout.logsDir}` : `no log for ${component} (known: ${all.join(', ') || 'none'})`);
  }
  return chosen.map((name) => `==> ${layout.log(name)} <==\n${tailFile(layout.log(name), lines)}`).join('\n\n');
}
