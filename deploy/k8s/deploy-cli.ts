import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { findRepoRoot } from '@stylestream/schemas';
import { staleManifests } from './deploy-cli-support';
import { renderManifests, toYaml } from './render-manifests';

const repoRoot = findRepoRoot();
const outDir = join(repoRoot, 'deploy', 'k8s', 'manifests');

const program = new Command('deploy').description('Kubernetes manifests of StyleStream');
program
  .command('render')
  .description('write deploy/k8s/manifests from deploy/k8s/k8s-apps.ts, alerts/ and deploy/grafana/')
  .option('--check', 'only report manifests that are out of date (exit 1 if any)')
  .action((opts: { check?: boolean }) => {
    if (opts.check === true) {
      const stale = staleManifests(repoRoot, outDir);
      if (stale.length > 0) {
        process.stderr.write(`out of date: ${stale.join(', ')} (run npm run deploy -- render)\n`);
        process.exitCode = 1;
      } else process.stdout.write('manifests are up to date\n');
      return;
    }
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    for (const file of renderManifests(repoRoot)) writeFileSync(join(outDir, file.file), toYaml(file));
    process.stdout.write(`wrote ${outDir}\n`);
  });

program.parse();
