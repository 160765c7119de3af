#!/usr/bin/env node
/**
 * The `kompute-ts` command: `info`, `doctor`, `run` and `bench`. `kompute-ts help` lists them.
 * @module
 */
import { parseArgs } from 'node:util';
import { KomputeError } from '../errors.js';
import { formatAdapters, listAdapters } from './adapters.js';
import { runBench } from './bench.js';
import { diagnose, formatFindings, gatherFacts } from './doctor.js';
import { runKernel } from './run.js';

const HELP = `kompute-ts: GPU compute for TypeScript on WebGPU

Usage:
  kompute-ts info [--json]          every GPU (identical ones too): index, PCI address, vendor, backend,
                                    features, limits; the index or address goes to Manager.create({ device })
  kompute-ts doctor [--json]        why no adapter is found, and the command that fixes it
  kompute-ts run <shader.wgsl> --in a.npy [--in b.npy ...] --out c.npy [--workgroup x,y,z] [--constants c0,c1]
                                    dispatches a WGSL kernel over NumPy .npy files: inputs bind to
                                    @binding(0), (1), ..., outputs after them; name=path binds by
                                    name with generated bindings (the shader then declares none)
  kompute-ts bench [--progress] [-- bench options: --quick --only id,id --json FILE --svg FILE]
                                    the benchmark suite, with a progress bar on a terminal
  kompute-ts help                   this text
`;

function numbers(option: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new UsageError(`${option} expects comma-separated numbers, got '${text}'`);
  return values;
}

class UsageError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'info': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const adapters = await listAdapters();
      process.stdout.write(values.json ? `${JSON.stringify(adapters, null, 2)}\n` : formatAdapters(adapters));
      return adapters.length > 0 ? 0 : 1;
    }
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const facts = await gatherFacts();
      const result = diagnose(facts);
      process.stdout.write(values.json ? `${JSON.stringify({ ...result, facts }, null, 2)}\n` : formatFindings(result.findings));
      return result.ok ? 0 : 1;
    }
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { in: { type: 'string', multiple: true }, out: { type: 'string', multiple: true }, workgroup: { type: 'string' }, constants: { type: 'string' } },
      });
      if (positionals.length !== 1) throw new UsageError('run expects one shader file');
      const workgroup = numbers('--workgroup', values.workgroup);
      const constants = numbers('--constants', values.constants);
      await runKernel({ shader: positionals[0]!, inputs: values.in ?? [], outputs: values.out ?? [], ...(workgroup ? { workgroup } : {}), ...(constants ? { constants } : {}) }, (line) =>
        process.stderr.write(`${line}\n`),
      );
      return 0;
    }
    case 'bench': {
      const progress = rest.includes('--progress') || (process.stderr.isTTY === true && !rest.includes('--no-progress'));
      return runBench(
        rest.filter((a) => a !== '--progress' && a !== '--no-progress' && a !== '--'),
        progress,
      );
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`kompute-ts: ${error.message}\n\n${HELP}`);
    process.exitCode = 2;
  } else if (error instanceof KomputeError) {
    process.stderr.write(`kompute-ts: ${error.name}: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
