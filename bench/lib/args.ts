import { SCALE_NAMES, type Scale } from '../generator/plan';

export interface RunArgs {
  names: string[];
  scale: Scale;
  seed: number;
  reps?: number;
  warmup?: number;
  workers?: number;
  regenerate: boolean;
  generateOnly: boolean;
  list: boolean;
  help: boolean;
}

export const DEFAULT_SEED = 2019;

export const USAGE = `usage: npm run bench -- [name…] [options]     (or: node dist/bench/run.js [name…] [options])

  name…              benchmarks to run (default: all; placeholders are listed, never run)
  --scale S          demo | medium | full (default demo)
  --seed N           generator seed (default ${DEFAULT_SEED})
  --reps N           timed repetitions, at least (default 5 demo, 3 medium/full; more until 3 s per side)
  --warmup N         untimed warm-up repetitions (default 1)
  --workers N        worker threads for the generator's crypto (default: one per core)
  --regenerate       rebuild the bench data set even if it is in place
  --generate-only    build the data set the named benchmarks need (all steps if none), run nothing
  --list             list the benchmarks
  --help             this text

  BENCH_DATABASE_URL overrides the database (default postgresql://postgres@127.0.0.1:5432/pillar_bench_<scale>).`;

export class ArgsError extends Error {}

const VALUE_FLAGS = ['scale', 'seed', 'reps', 'warmup', 'workers'] as const;
const BOOLEAN_FLAGS = ['regenerate', 'generate-only', 'list', 'help'] as const;

/**
 * `npm run bench baseline-sanity --scale medium` (without `--`) does not pass `--scale` on:
 * npm takes it as its own config, sets `npm_config_scale=true` and leaves `medium` among the
 * positional arguments. Put such flags back so both spellings work; where the values cannot be
 * told apart (two numeric flags eaten), ask for `--`.
 */
export function recoverNpmFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  isName: (s: string) => boolean,
): string[] {
  if (!env.npm_lifecycle_event) return [...argv];
  const out = [...argv];
  const config = (flag: string): string | undefined => env[`npm_config_${flag.replace(/-/g, '_')}`];
  for (const flag of BOOLEAN_FLAGS)
    if (config(flag) === 'true' && !out.includes(`--${flag}`)) out.push(`--${flag}`);
  const eaten: string[] = [];
  for (const flag of VALUE_FLAGS) {
    const v = config(flag);
    if (v === undefined || out.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))) continue;
    if (v === 'true') eaten.push(flag);
    else out.push(`--${flag}`, v); // --flag=value keeps its value in the environment
  }
  if (!eaten.length) return out;
  const loose = out.filter((a) => !a.startsWith('-') && !isName(a));
  const take = (value: string): void => {
    out.splice(out.indexOf(value), 1);
    loose.splice(loose.indexOf(value), 1);
  };
  if (eaten.includes('scale')) {
    const v = loose.find((a) => (SCALE_NAMES as readonly string[]).includes(a));
    if (v) {
      take(v);
      out.push('--scale', v);
    }
    eaten.splice(eaten.indexOf('scale'), 1);
  }
  if (eaten.length === 1 && loose.length === 1) {
    const v = loose[0]!;
    take(v);
    out.push(`--${eaten[0]}`, v);
  } else if (eaten.length) {
    throw new ArgsError(
      `npm kept --${eaten.join(', --')} for itself; run it as: npm run bench -- [name…] [options]`,
    );
  }
  return out;
}

export function parseArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = {
    names: [],
    scale: 'demo',
    seed: DEFAULT_SEED,
    regenerate: false,
    generateOnly: false,
    list: false,
    help: false,
  };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) problems.push(`${flag} needs a value`);
      return v ?? '';
    };
    const whole = (v: string, min: number): number | undefined => {
      if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
        problems.push(`${flag}: expected a whole number ≥ ${min}, got "${v}"`);
        return undefined;
      }
      return Number(v);
    };
    switch (flag) {
      case '--scale': {
        const v = value();
        if ((SCALE_NAMES as readonly string[]).includes(v)) out.scale = v as Scale;
        else problems.push(`--scale: expected one of ${SCALE_NAMES.join(', ')}, got "${v}"`);
        break;
      }
      case '--seed':
        out.seed = whole(value(), 0) ?? out.seed;
        break;
      case '--reps':
        out.reps = whole(value(), 1);
        break;
      case '--warmup':
        out.warmup = whole(value(), 0);
        break;
      case '--workers':
        out.workers = whole(value(), 0);
        break;
      case '--regenerate':
        out.regenerate = true;
        break;
      case '--generate-only':
        out.generateOnly = true;
        break;
      case '--list':
        out.list = true;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) problems.push(`unknown option ${arg}`);
        else out.names.push(arg);
    }
  }
  if (problems.length) throw new ArgsError(problems.join('\n'));
  return out;
}
