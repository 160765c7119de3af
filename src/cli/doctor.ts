/**
 * `kompute-ts doctor`: finds out why no WebGPU adapter shows up and prints the command that fixes
 * it. Facts are gathered first ({@link gatherFacts}), then judged ({@link diagnose}), so the
 * judgement can be tested on any machine.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the doctor looks at. */
export interface DoctorFacts {
  readonly platform: NodeJS.Platform;
  readonly nodeVersion: string;
  /** Null when the `webgpu` package loads, else the error. */
  readonly webgpuError: string | null;
  /** `/etc/os-release` ID and VERSION_CODENAME (empty elsewhere). */
  readonly os: { readonly id: string; readonly codename: string };
  /** Where `libvulkan.so.1` was found, or null. */
  readonly vulkanLoader: string | null;
  /** The variable naming ICD files explicitly (`VK_DRIVER_FILES` or `VK_ICD_FILENAMES`), if set. */
  readonly icdVariable: { readonly name: string; readonly files: readonly string[]; readonly missing: readonly string[] } | null;
  /** Vulkan driver manifests (ICD JSON files) found in the standard folders. */
  readonly icdFiles: readonly string[];
  /** The installed Mesa Vulkan drivers' version (`25.0.7-2~bpo12+1`), or null when unknown. */
  readonly mesaVersion: string | null;
  /** The adapter Dawn returns, or null. */
  readonly adapter: string | null;
}

/** One line of the doctor's report. */
interface Finding {
  readonly status: 'ok' | 'problem' | 'note';
  readonly text: string;
  /** The command (or action) that fixes a problem. */
  readonly fix?: string;
}

/**
 * Mesa releases before this one are flagged as too old for Dawn. What is known: Debian 12's own
 * Mesa 22.3 lavapipe does not give Dawn (webgpu 0.6.2) an adapter, the 25.0 of bookworm-backports
 * does (it is what the tests run on); releases in between have not been tried.
 */
const MIN_MESA_MAJOR = 23;

const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/lib64', '/lib', '/usr/local/lib'];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function findVulkanLoader(env: NodeJS.ProcessEnv): string | null {
  const dirs = [...(env['LD_LIBRARY_PATH'] ?? '').split(delimiter).filter(Boolean), ...LIBRARY_DIRS];
  for (const dir of dirs) if (existsSync(join(dir, 'libvulkan.so.1'))) return join(dir, 'libvulkan.so.1');
  try {
    const line = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .find((l) => l.includes('libvulkan.so.1'));
    return line ? (line.split('=>')[1]?.trim() ?? 'libvulkan.so.1') : null;
  } catch {
    return null;
  }
}

function findIcdFiles(env: NodeJS.ProcessEnv): string[] {
  const xdg = (env['XDG_DATA_DIRS'] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, 'vulkan', 'icd.d'));
  const files = new Set<string>();
  for (const dir of [...ICD_DIRS, ...xdg]) {
    try {
      for (const name of readdirSync(dir)) if (name.endsWith('.json')) files.add(join(dir, name));
    } catch {
      // Missing folders are the normal case.
    }
  }
  return [...files].sort();
}

function readOs(): { id: string; codename: string } {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
    return { id: field('ID'), codename: field('VERSION_CODENAME') };
  } catch {
    return { id: '', codename: '' };
  }
}

function mesaVersion(): string | null {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** Looks at this machine. */
export async function gatherFacts(env: NodeJS.ProcessEnv = process.env): Promise<DoctorFacts> {
  let webgpuError: string | null = null;
  let adapter: string | null = null;
  try {
    const { createDawnGpu } = await import('../backends/node.js');
    const gpu = await createDawnGpu([]);
    const found = await gpu.requestAdapter();
    if (found) adapter = `${found.info.description || found.info.device || 'unnamed'} (${found.info.vendor || '?'}, ${found.info.architecture || '?'})`;
  } catch (error) {
    webgpuError = error instanceof Error ? error.message : String(error);
  }
  const linux = process.platform === 'linux';
  const variable = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES'].find((name) => env[name]);
  const icdVariable = variable
    ? (() => {
        const files = env[variable]!.split(delimiter).filter(Boolean);
        return { name: variable, files, missing: files.filter((f) => !existsSync(f)) };
      })()
    : null;
  return {
    platform: process.platform,
    nodeVersion: process.versions.node,
    webgpuError,
    os: linux ? readOs() : { id: '', codename: '' },
    vulkanLoader: linux ? findVulkanLoader(env) : null,
    icdVariable,
    icdFiles: linux ? findIcdFiles(env) : [],
    mesaVersion: linux ? mesaVersion() : null,
    adapter,
  };
}

/** The command that installs a working lavapipe (and the Vulkan loader) on this distribution. */
function lavapipeInstallCommand(os: { id: string; codename: string }): string {
  if (os.codename === 'bookworm') {
    return "echo 'deb http://deb.debian.org/debian bookworm-backports main' | sudo tee /etc/apt/sources.list.d/backports.list && sudo apt-get update && sudo apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1";
  }
  if (os.id === 'debian' || os.id === 'ubuntu') return 'sudo apt-get update && sudo apt-get install -y mesa-vulkan-drivers libvulkan1';
  if (os.id === 'fedora' || os.id === 'rhel' || os.id === 'centos') return 'sudo dnf install -y mesa-vulkan-drivers vulkan-loader';
  if (os.id === 'arch') return 'sudo pacman -S --noconfirm vulkan-swrast vulkan-icd-loader';
  return "install your distribution's Mesa Vulkan drivers (lavapipe) and Vulkan loader (libvulkan.so.1)";
}

function loaderInstallCommand(os: { id: string }): string {
  if (os.id === 'debian' || os.id === 'ubuntu') return 'sudo apt-get install -y libvulkan1';
  if (os.id === 'fedora' || os.id === 'rhel' || os.id === 'centos') return 'sudo dnf install -y vulkan-loader';
  if (os.id === 'arch') return 'sudo pacman -S --noconfirm vulkan-icd-loader';
  return "install your distribution's Vulkan loader (the package that provides libvulkan.so.1)";
}

/** Judges the facts: what works, what is missing, and what fixes it. */
export function diagnose(facts: DoctorFacts): { ok: boolean; findings: Finding[] } {
  const findings: Finding[] = [];
  const major = Number(facts.nodeVersion.split('.')[0]);
  findings.push(
    major >= 20
      ? { status: 'ok', text: `Node.js ${facts.nodeVersion}` }
      : { status: 'problem', text: `Node.js ${facts.nodeVersion} is older than 20`, fix: 'install Node.js 20 or newer (https://nodejs.org)' },
  );
  if (facts.webgpuError) findings.push({ status: 'problem', text: `the webgpu package (Dawn) does not load: ${facts.webgpuError}`, fix: 'npm install webgpu' });
  else findings.push({ status: 'ok', text: 'the webgpu package (Dawn) loads' });
  if (facts.platform === 'linux') {
    if (facts.vulkanLoader) findings.push({ status: 'ok', text: `Vulkan loader: ${facts.vulkanLoader}` });
    else findings.push({ status: 'problem', text: 'no Vulkan loader (libvulkan.so.1): Dawn reaches GPUs on Linux through Vulkan', fix: loaderInstallCommand(facts.os) });
    if (facts.icdVariable) {
      const { name, files, missing } = facts.icdVariable;
      if (missing.length > 0)
        findings.push({ status: 'problem', text: `${name} names driver files that do not exist: ${missing.join(', ')}`, fix: `unset ${name}   # or point it at an existing ICD JSON file` });
      else findings.push({ status: 'note', text: `${name} limits Vulkan to: ${files.join(', ')}` });
    }
    const lavapipe = facts.icdFiles.filter((f) => /lvp_icd/.test(f));
    if (facts.icdFiles.length === 0 && !facts.icdVariable) {
      findings.push({
        status: 'problem',
        text: 'no Vulkan driver (ICD) is installed: no JSON manifest in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d. With a GPU, install its Vulkan driver (NVIDIA containers: mount nvidia_icd.json); without one, install lavapipe',
        fix: lavapipeInstallCommand(facts.os),
      });
    } else if (facts.icdFiles.length > 0 && !facts.icdVariable) {
      findings.push({ status: 'ok', text: `Vulkan drivers: ${facts.icdFiles.join(', ')}` });
    }
    const mesaMajor = facts.mesaVersion ? Number(/^(?:\d+:)?(\d+)/.exec(facts.mesaVersion)?.[1]) : NaN;
    if (lavapipe.length > 0 && mesaMajor < MIN_MESA_MAJOR) {
      findings.push({
        status: 'problem',
        text: `lavapipe comes from Mesa ${facts.mesaVersion}, too old for Dawn (Debian 12's own Mesa 22.3 does not work; the 25.x of bookworm-backports does)`,
        fix: lavapipeInstallCommand(facts.os),
      });
    } else if (facts.mesaVersion) {
      findings.push({ status: 'ok', text: `Mesa Vulkan drivers ${facts.mesaVersion}` });
    }
  }
  if (facts.adapter) findings.push({ status: 'ok', text: `WebGPU adapter: ${facts.adapter}` });
  else {
    const explained = findings.some((f) => f.status === 'problem');
    findings.push({
      status: 'problem',
      text: 'no WebGPU adapter found',
      ...(explained ? {} : { fix: facts.platform === 'linux' ? `${lavapipeInstallCommand(facts.os)}   # or your GPU's Vulkan driver` : 'update the GPU driver (Metal on macOS, D3D12 on Windows)' }),
    });
  }
  return { ok: facts.adapter !== null, findings };
}

/** The report as text. */
export function formatFindings(findings: readonly Finding[]): string {
  const mark = { ok: 'ok  ', problem: 'FAIL', note: 'note' } as const;
  const lines = findings.flatMap((f) => [`[${mark[f.status]}] ${f.text}`, ...(f.fix ? [`       fix: ${f.fix}`] : [])]);
  return `${lines.join('\n')}\n`;
}
