#!/usr/bin/env node
/**
 * The `kompute-ts` command: `info`, `doctor`, `run` and `bench`. `kompute-ts help` lists them.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KomputeError } from '../errors.js';
import { formatAdapters, listAdapters } from './adapters.js';
import { runBench } from './bench.js';
import { CliError, EXIT, UsageError } from './cli-errors.js';
import { diagnose, formatFindings, gatherFacts } from './doctor.js';
import { runKernel } from './run.js';

const HELP = `kompute-ts: GPU compute for TypeScript on WebGPU

Usage:
  kompute-ts info [--json]          every GPU (identical ones too): index, PCI address, vendor, backend,
                                    features, limits; the index or address goes to Manager.create({ device })
  kompute-ts doctor [--json]        why no adapter is found, and the command that fixes it
  kompute-ts run <shader.wgsl> --in a.npy [--in b.npy ...] --out c.npy[:dtype][:shape] [--workgroup x,y,z] [--constants c0,c1]
                                    dispatches a WGSL kernel over NumPy .npy files: inputs bind to
                                    @binding(0), (1), ..., outputs after them; name=path binds by
                                    name with generated bindings (the shader then declares none).
                                    An output is the first input's shape and the element type its
                                    binding declares, unless --out gives them: sum.npy:f32:1,
                                    m.npy:i32:2x3, or just c.npy:u32 or c.npy:8
  kompute-ts bench [--progress] [-- bench options: --quick --only id,id --json FILE --svg FILE --trace FILE]
                                    the benchmark suite of a clone of kompute-ts (not in the
                                    package), with a progress bar on a terminal
  kompute-ts --version              the version of kompute-ts
  kompute-ts help                   this text

Exit codes: 0 done; 1 the command failed (a file, the shader or the GPU; one line says why);
2 the command line is wrong; 70 a bug of kompute-ts (please report it with the trace).
`;

function numbers(option: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new UsageError(`${option} expects comma-separated numbers, got '${text}'`);
  return values;
}

/** The version in the package's package.json (two folders above dist/src/cli/). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'info': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const adapters = await listAdapters();
      process.stdout.write(values.json ? `${JSON.stringify(adapters, null, 2)}\n` : formatAdapters(adapters));
      return adapters.length > 0 ? EXIT.ok : EXIT.failed;
    }
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const facts = await gatherFacts();
      const result = diagnose(facts);
      process.stdout.write(values.json ? `${JSON.stringify({ ...result, facts }, null, 2)}\n` : formatFindings(result.findings));
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { in: { type: 'string', multiple: true }, out: { type: 'string', multiple: true }, workgroup: { type: 'string' }, constants: { type: 'string' } },
      });
      if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'run expects a shader file' : `run expects one shader file, got ${positionals.length}: ${positionals.join(' ')}`);
      const workgroup = numbers('--workgroup', values.workgroup);
      const constants = numbers('--constants', values.constants);
      await runKernel({ shader: positionals[0]!, inputs: values.in ?? [], outputs: values.out ?? [], ...(workgroup ? { workgroup } : {}), ...(constants ? { constants } : {}) }, (line) =>
        process.stderr.write(`${line}\n`),
      );
      return EXIT.ok;
    }
    case 'bench': {
      const progress = rest.includes('--progress') || (process.stderr.isTTY === true && !rest.includes('--no-progress'));
      return runBench(
        rest.filter((a) => a !== '--progress' && a !== '--no-progress' && a !== '--'),
        progress,
      );
    }
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`kompute-ts ${version()}\n`);
      return EXIT.ok;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return EXIT.ok;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** One line for the user: a message's first line, and its further lines (a shader's compiler messages) indented under it. */
function report(text: string): void {
  process.stderr.write(`kompute-ts: ${text.trimEnd()}\n`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    report(`${error.message} (see kompute-ts help)`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof CliError) {
    report(error.message);
    process.exitCode = EXIT.failed;
  } else if (error instanceof KomputeError) {
    report(`${error.name}: ${error.message}`);
    process.exitCode = EXIT.failed;
  } else {
    process.stderr.write(`kompute-ts: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}
