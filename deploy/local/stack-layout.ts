import { join } from 'node:path';

/**
 * Where things live under the stack dir:
 *   downloads/                  maven/apt work dirs
 *   install/<component>/        unpacked distributions (each with an `.installed` marker)
 *   conf/<component>/           generated configuration
 *   data/<component>/           state that survives down/up
 *   logs/<component>.log        stdout+stderr of each process
 *   run/<component>.pid         pid records of what `up` started; run/stack.json the topology
 */
export class StackLayout {
  constructor(readonly root: string) {}

  install(component: string): string {
    return join(this.root, 'install', component);
  }
  conf(component: string): string {
    return join(this.root, 'conf', component);
  }
  data(component: string): string {
    return join(this.root, 'data', component);
  }
  log(service: string): string {
    return join(this.root, 'logs', `${service}.log`);
  }
  get logsDir(): string {
    return join(this.root, 'logs');
  }
  get runDir(): string {
    return join(this.root, 'run');
  }
  pidFile(service: string): string {
    return join(this.root, 'run', `${service}.pid`);
  }
  get topologyFile(): string {
    return join(this.root, 'run', 'stack.json');
  }
  get downloads(): string {
    return join(this.root, 'downloads');
  }
}
