/** Where the figures were measured: recorded in every result file. */
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import type { Pool } from 'pg';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  freeMemoryBytes: number;
  loadAverage: number[];
  os: string;
  node: string;
  postgres: { version: string; settings: Record<string, string> };
  git: { commit: string | null; dirty: boolean | null };
}

const PG_SETTINGS = [
  'server_version',
  'shared_buffers',
  'work_mem',
  'maintenance_work_mem',
  'effective_cache_size',
  'max_parallel_workers_per_gather',
  'jit',
  'fsync',
  'synchronous_commit',
  'max_connections',
];

export async function machineInfo(pg: Pool): Promise<MachineInfo> {
  const version = await pg.query<{ v: string }>('select version() as v');
  const settings = await pg.query<{ name: string; setting: string; unit: string | null }>(
    'select name, setting, unit from pg_settings where name = any($1)',
    [PG_SETTINGS],
  );
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    loadAverage: loadavg(),
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    postgres: {
      version: version.rows[0]?.v ?? 'unknown',
      settings: Object.fromEntries(
        settings.rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]),
      ),
    },
    git: gitInfo(),
  };
}

function gitInfo(): MachineInfo['git'] {
  // Read-only queries; a missing git or repository just leaves the fields null.
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}
