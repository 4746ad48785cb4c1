import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireJava } from '../install/java-toolchain';
import { healthy, ProbeResult, unhealthy } from '../process/health-wait';
import { probeHttp } from '../process/http-probe';
import { LaunchSpec } from '../process/process-supervisor';
import { chownTree, lookupUser, untraversableAncestor, UserIds } from '../process/run-as-user';
import { StackService } from '../services/stack-service';
import { StackError } from '../stack-error';
import { ElasticsearchDistInstaller } from './elasticsearch-dist.installer';
import { elasticsearchJavaOpts, elasticsearchYml } from './elasticsearch-config';

export interface ElasticsearchDirs {
  readonly conf: string;
  readonly data: string;
  /** Elasticsearch's own logs (and its working dir, where the JVM writes gc.log). */
  readonly logs: string;
  readonly tmp: string;
}

/**
 * Single-node Elasticsearch from the integ-test zip, run by bin/elasticsearch
 * with the system Java. Elasticsearch refuses to run as root, so when we are
 * root it runs as `runAsUser` (default nobody), owning its conf, data, logs and tmp dirs.
 * Healthy when /_cluster/health is yellow or green and carries x-elastic-product
 * (the official client refuses servers without that header).
 */
export class ElasticsearchService implements StackService {
  readonly name = 'elasticsearch';
  readonly ports: readonly number[];
  readonly after: readonly string[] = [];
  readonly startDeadlineMs: number;
  readonly stopGraceMs = 30_000;
  readonly installers;

  constructor(
    private readonly dist: ElasticsearchDistInstaller,
    private readonly version_: string,
    private readonly dirs: ElasticsearchDirs,
    private readonly options: { port: number; transportPort: number; heap: string; runAsUser: string; c1Only: boolean; startDeadlineMs?: number },
  ) {
    this.ports = [options.port, options.transportPort];
    // STACK_ELASTICSEARCH_START_DEADLINE_S (default 90 s): under heavy load the JVM start alone can take minutes.
    this.startDeadlineMs = options.startDeadlineMs ?? 90_000;
    this.installers = [dist];
  }

  version(): Promise<string> {
    return Promise.resolve(this.version_);
  }

  notStartable(): string | undefined {
    return undefined;
  }

  private runAs(): UserIds | undefined {
    return process.getuid?.() === 0 ? lookupUser(this.options.runAsUser) : undefined;
  }

  prepare(): Promise<void> {
    const { conf, data, logs, tmp } = this.dirs;
    for (const dir of [conf, data, logs, tmp]) mkdirSync(dir, { recursive: true });
    const defaults = join(this.dist.home, 'config');
    for (const entry of readdirSync(defaults)) {
      const target = join(conf, entry);
      if (!existsSync(target) && statSync(join(defaults, entry)).isFile()) copyFileSync(join(defaults, entry), target);
    }
    writeFileSync(join(conf, 'elasticsearch.yml'), elasticsearchYml({ port: this.options.port, transportPort: this.options.transportPort, dataDir: data, logsDir: logs }));
    const user = this.runAs();
    if (user !== undefined) {
      for (const dir of [this.dist.home, conf, data, logs, tmp]) {
        const blocked = untraversableAncestor(dir, user);
        if (blocked !== undefined) {
          throw new StackError(
            `elasticsearch refuses to run as root, so it runs as user ${user.name}, who cannot enter ${blocked}; ` +
              `set STACK_DIR to a folder ${user.name} can reach (e.g. under /tmp) or STACK_ELASTICSEARCH_USER to another user`,
          );
        }
      }
      for (const dir of [conf, data, logs, tmp]) chownTree(dir, user);
    }
    return Promise.resolve();
  }

  async launch(): Promise<LaunchSpec> {
    const java = await requireJava();
    const user = this.runAs();
    return {
      command: join(this.dist.home, 'bin', 'elasticsearch'),
      args: [],
      env: {
        ...process.env,
        ES_JAVA_HOME: java.javaHome,
        ES_PATH_CONF: this.dirs.conf,
        ES_JAVA_OPTS: elasticsearchJavaOpts(this.options.heap, this.options.c1Only),
        // The launcher JVM (it computes options and spawns the server) gets C1 too.
        ...(this.options.c1Only ? { CLI_JAVA_OPTS: '-XX:TieredStopAtLevel=1' } : {}),
        ES_TMPDIR: this.dirs.tmp,
      },
      cwd: this.dirs.logs,
      uid: user?.uid,
      gid: user?.gid,
    };
  }

  async probe(): Promise<ProbeResult> {
    let status = '?';
    const result = await probeHttp(`http://127.0.0.1:${this.options.port}/_cluster/health`, (response, body) => {
      if (response.headers.get('x-elastic-product') !== 'Elasticsearch') return 'x-elastic-product header missing';
      status = (JSON.parse(body) as { status?: string }).status ?? '?';
      return status === 'green' || status === 'yellow' ? undefined : `cluster health ${status}`;
    });
    return result.healthy ? healthy(`cluster ${status}`) : unhealthy(result.reason);
  }
}
