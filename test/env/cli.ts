// Shell entry point for the test cluster (after `npx tsc -p tsconfig.json`):
//
//   node out/test/env/cli.js start [--state FILE] [--restricted-namespace NS] [--flux]
//   eval "$(node out/test/env/cli.js env)"      # export KUBECONFIG=...
//   node out/test/env/cli.js stop  [--state FILE]
//
// start leaves etcd and kube-apiserver running (with --flux also the real Flux controllers and the
// local Git/Helm server, see flux.ts) and records them in the state file (default
// <cache>/run/cluster.json); stop ends them and removes their folder.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isAlive, readClusterState, startCluster, stopCluster } from './cluster';
import { cacheDir } from './paths';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const stateFile = option(args, '--state') ?? join(cacheDir(), 'run', 'cluster.json');
  switch (command) {
    case 'start': {
      if (existsSync(stateFile)) {
        const old = readClusterState(stateFile);
        if (isAlive(old.pids.apiserver) || isAlive(old.pids.etcd)) {
          console.error(`a cluster is already running (${stateFile}); stop it first`);
          return 1;
        }
        rmSync(old.dir, { recursive: true, force: true });
      }
      const cluster = await startCluster({
        detached: true,
        restrictedNamespace: option(args, '--restricted-namespace'),
        flux: args.includes('--flux'),
        log: (m) => console.error(m),
      });
      mkdirSync(dirname(stateFile), { recursive: true });
      const {
        dir,
        server,
        kubeconfig,
        caFile,
        restrictedNamespace,
        restrictedUser,
        pids,
        crds,
        timingsMs,
        flux,
      } = cluster;
      const gitUrl = cluster.fluxEnv?.gitUrl;
      const helmRepoUrl = cluster.fluxEnv?.helmRepoUrl;
      writeFileSync(
        stateFile,
        JSON.stringify(
          {
            dir,
            server,
            kubeconfig,
            caFile,
            restrictedNamespace,
            restrictedUser,
            pids,
            crds,
            timingsMs,
            flux,
            gitUrl,
            helmRepoUrl,
          },
          null,
          2,
        ),
      );
      console.error(`started in ${timingsMs.total} ms (${JSON.stringify(timingsMs)}); state: ${stateFile}`);
      if (gitUrl)
        console.error(`Flux controllers running; Git server ${gitUrl}, Helm repository ${helmRepoUrl}`);
      console.log(`export KUBECONFIG=${shellQuote(kubeconfig)}`);
      return 0;
    }
    case 'env': {
      const state = readClusterState(stateFile);
      console.log(`export KUBECONFIG=${shellQuote(state.kubeconfig)}`);
      return 0;
    }
    case 'status': {
      const state = readClusterState(stateFile);
      const running = isAlive(state.pids.apiserver) && isAlive(state.pids.etcd);
      console.log(JSON.stringify({ running, ...state }, null, 2));
      return running ? 0 : 1;
    }
    case 'stop': {
      if (!existsSync(stateFile)) {
        console.error(`no cluster recorded in ${stateFile}`);
        return 0;
      }
      await stopCluster(readClusterState(stateFile));
      rmSync(stateFile, { force: true });
      console.error('stopped');
      return 0;
    }
    default:
      console.error(
        'usage: cli.js start|env|status|stop [--state FILE] [--restricted-namespace NS] [--flux]',
      );
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
