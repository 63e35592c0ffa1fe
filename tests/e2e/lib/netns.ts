import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCpuGroup, prioritizePacketTiming } from './cpuPriority.ts';
import type { CpuGroup } from './cpuPriority.ts';

/**
 * Shaped school links for browser tests and benchmarks: each classroom gets a network
 * namespace joined to the host by a veth pair, with a rate cap (tbf) on both directions, loss
 * (iptables `statistic`) and delay (NFQUEUE held by `nfqdelay.py`) on both directions, and a
 * cut (everything dropped) that can be lifted. The server is reached on one address put on the
 * host's loopback, which every namespace reaches through its default route.
 *
 * Why not netem: this kernel is built without sch_netem (CONFIG_NET_SCH_NETEM is not set), so
 * loss and delay come from iptables (the kernel has nftables' xt compatibility, but no nft
 * `queue` expression) and a small user-space delayer; tbf does the rate.
 *
 * Needs root, `ip`, `tc`, `iptables` and `python3` (Debian: iproute2, iptables, python3).
 */

/** How one direction-symmetric school link behaves. */
export interface LinkShape {
  /** Rate cap in each direction, kbit/s. */
  rateKbit: number;
  /** Random loss in each direction, %. @default 0 */
  lossPct?: number;
  /** One-way delay added in each direction, ms (the round trip grows by twice this). @default 0 */
  delayMs?: number;
}

/** Prefix of every namespace and interface made here (leftovers of a killed run are removed by it). */
const PREFIX = 'sclk';
/** The lab's addresses: the server on 10.213.0.1 (host loopback), link i on 10.213.i.0/24. */
const NET = '10.213';
const DELAYER = path.join(import.meta.dirname, 'nfqdelay.py');

function run(cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, {
      cause: error,
    });
  }
}

function tryRun(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Why shaped links cannot be made here, or null when they can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces and tc need root (run the tests as root)';
  for (const [tool, pkg] of [
    ['ip', 'iproute2'],
    ['tc', 'iproute2'],
    ['iptables', 'iptables'],
    ['python3', 'python3'],
  ] as const) {
    try {
      execFileSync(tool, tool === 'python3' ? ['--version'] : ['-V'], { stdio: 'ignore' });
    } catch {
      return `\`${tool}\` is missing (Debian package ${pkg}; npm run setup -- --for-tests installs it)`;
    }
  }
  return null;
}

/** One classroom's school link: a namespace, its veth pair and the shaping on it. */
export class SchoolLink {
  readonly index: number;
  /** Network namespace the classroom's browser runs in. */
  readonly ns: string;
  /** The classroom's address (inside the namespace). */
  readonly ip: string;
  readonly #hostIf: string;
  readonly #nsIf: string;
  readonly #delayers: ChildProcess[] = [];
  /** iptables rules added (to delete them again: those on the host outlive the namespace). */
  readonly #rules: { prefix: string[]; rule: string[] }[] = [];
  #cut = false;

  constructor(index: number) {
    this.index = index;
    this.ns = `${PREFIX}-ns${index}`;
    this.ip = `${NET}.${index}.2`;
    this.#hostIf = `${PREFIX}h${index}`;
    this.#nsIf = `${PREFIX}n${index}`;
  }

  /** Creates the namespace and its veth pair, addressed and routed to the host. */
  create(): void {
    const hostIp = `${NET}.${this.index}.1`;
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['link', 'add', this.#hostIf, 'type', 'veth', 'peer', 'name', this.#nsIf]);
    run('ip', ['link', 'set', this.#nsIf, 'netns', this.ns]);
    run('ip', ['addr', 'add', `${hostIp}/24`, 'dev', this.#hostIf]);
    run('ip', ['link', 'set', this.#hostIf, 'up']);
    run('ip', ['-n', this.ns, 'addr', 'add', `${this.ip}/24`, 'dev', this.#nsIf]);
    run('ip', ['-n', this.ns, 'link', 'set', this.#nsIf, 'up']);
    run('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', this.ns, 'route', 'add', 'default', 'via', hostIp]);
  }

  /**
   * The two receiving ends of the link: the classroom's side receives the downlink, the
   * host's side the uplink. Loss, delay and cuts act where packets arrive (mangle PREROUTING),
   * never on a sender's own output, where a dropped packet would fail the browser's send()
   * with EPERM instead of vanishing on the wire.
   */
  #ends(): { prefix: string[]; iface: string; queue: number }[] {
    return [
      { prefix: ['ip', 'netns', 'exec', this.ns], iface: this.#nsIf, queue: 0 },
      { prefix: [], iface: this.#hostIf, queue: 100 + this.index },
    ];
  }

  #iptables(prefix: string[], args: string[]): void {
    const [cmd, ...rest] = [...prefix, 'iptables', '-w', '-t', 'mangle', ...args];
    run(cmd!, rest);
  }

  /**
   * Shapes the link (both directions). Replaces any previous shape; resolves once the
   * delayers, if any, are listening.
   */
  async shape({ rateKbit, lossPct = 0, delayMs = 0 }: LinkShape): Promise<void> {
    // tbf: the bucket holds ~10 ms of traffic (at least two full packets), the queue ~150 ms.
    const burst = Math.max(3200, Math.round((rateKbit * 1000) / 8 / 100));
    const tbf = ['root', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burst), 'latency', '150ms'];
    run('tc', ['qdisc', 'replace', 'dev', this.#hostIf, ...tbf]);
    run('ip', ['netns', 'exec', this.ns, 'tc', 'qdisc', 'replace', 'dev', this.#nsIf, ...tbf]);
    this.#unshape();
    for (const { prefix, iface, queue } of this.#ends()) {
      const rules: string[][] = [];
      if (lossPct > 0) {
        const p = String(lossPct / 100);
        rules.push(['-i', iface, '-m', 'statistic', '--mode', 'random', '--probability', p, '-j', 'DROP']);
      }
      if (delayMs > 0) rules.push(['-i', iface, '-j', 'NFQUEUE', '--queue-num', String(queue)]);
      for (const rule of rules) {
        this.#iptables(prefix, ['-A', 'PREROUTING', ...rule]);
        this.#rules.push({ prefix, rule });
      }
      if (delayMs === 0) continue;
      // The queue rule has no bypass: until the delayer listens (and if it dies) the link is
      // dead rather than undelayed, so a broken delayer cannot pass for a healthy link.
      const [cmd, ...args] = [...prefix, 'python3', DELAYER, String(queue), String(delayMs)];
      const delayer = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      this.#delayers.push(delayer);
      await new Promise<void>((resolve, reject) => {
        delayer.once('error', reject);
        delayer.once('exit', (code) => reject(new Error(`nfqdelay exited with ${code}`)));
        delayer.stdout?.once('data', () => resolve());
      });
    }
  }

  /** Cuts the link (every packet dropped, both directions) or restores it. */
  setCut(cut: boolean): void {
    if (cut === this.#cut) return;
    this.#cut = cut;
    for (const { prefix, iface } of this.#ends())
      this.#iptables(prefix, [
        cut ? '-I' : '-D',
        'PREROUTING',
        ...(cut ? ['1'] : []),
        '-i',
        iface,
        '-j',
        'DROP',
      ]);
  }

  #unshape(): void {
    for (const delayer of this.#delayers.splice(0)) {
      delayer.removeAllListeners('exit');
      delayer.kill('SIGTERM');
    }
    for (const { prefix, rule } of this.#rules.splice(0)) {
      try {
        this.#iptables(prefix, ['-D', 'PREROUTING', ...rule]);
      } catch {
        // the namespace went first
      }
    }
  }

  /** A shell script that runs Chromium inside this link's namespace (for Playwright's executablePath). */
  chromiumWrapper(dir: string, chromium = '/usr/bin/chromium'): string {
    const file = path.join(dir, `chromium-${this.ns}.sh`);
    fs.writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.ns} ${chromium} "$@"\n`, { mode: 0o755 });
    return file;
  }

  /** Removes the namespace (its processes are the caller's to end first). */
  destroy(): void {
    if (this.#cut) this.setCut(false);
    this.#unshape();
    tryRun('ip', ['netns', 'delete', this.ns]);
    tryRun('ip', ['link', 'delete', this.#hostIf]);
  }
}

/** A set of school links around one server address on the host. */
export class LinkLab {
  /** Where the server listens (HTTP and media), reachable from every namespace. */
  readonly serverIp = `${NET}.0.1`;
  readonly links: SchoolLink[];
  /** Scratch folder for wrapper scripts. */
  readonly dir: string;
  /** The CPU group this process and all it starts run in (null: normal priority). */
  cpuGroup: CpuGroup | null = null;
  /** Raises the packet-timing threads of what the lab starts, as they start (see cpuPriority.ts). */
  #prioritizer: NodeJS.Timeout | undefined;

  private constructor(count: number) {
    this.links = Array.from({ length: count }, (_, i) => new SchoolLink(i + 1));
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
  }

  /**
   * Builds `count` links after removing what a previous run left behind.
   * @throws Error saying why, when namespaces cannot be made here
   */
  static create(count: number): LinkLab {
    const why = labUnavailable();
    if (why) throw new Error(`shaped school links are not possible here: ${why}`);
    LinkLab.removeLeftovers();
    const lab = new LinkLab(count);
    try {
      // This process, and so the server, browsers and delayers it starts, get the cores first.
      lab.cpuGroup = createCpuGroup(`${PREFIX}-lab`);
      if (lab.cpuGroup) {
        const group = lab.cpuGroup;
        group.add(process.pid);
        const raised = new Set<number>();
        lab.#prioritizer = setInterval(() => prioritizePacketTiming(group, raised), 1000).unref();
      } else process.emitWarning('no CPU control group: the link lab runs at normal priority');
      run('ip', ['addr', 'add', `${lab.serverIp}/32`, 'dev', 'lo']);
      for (const link of lab.links) link.create();
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Deletes every namespace, interface and address with this lab's names. */
  static removeLeftovers(): void {
    for (const line of run('ip', ['netns', 'list']).split('\n')) {
      const name = line.split(' ')[0];
      if (name?.startsWith(`${PREFIX}-`)) {
        // Processes left in it (browsers, delayers) die with their network, not before: end them.
        for (const pid of run('ip', ['netns', 'pids', name]).split(/\s+/).filter(Boolean))
          tryRun('kill', ['-9', pid]);
        tryRun('ip', ['netns', 'delete', name]);
      }
    }
    for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
      const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
      if (name?.startsWith(`${PREFIX}h`)) tryRun('ip', ['link', 'delete', name]);
    }
    tryRun('ip', ['addr', 'del', `${NET}.0.1/32`, 'dev', 'lo']);
    // Host-side rules of a killed run: every mangle PREROUTING rule naming one of our interfaces.
    for (const line of run('iptables', ['-w', '-t', 'mangle', '-S', 'PREROUTING']).split('\n')) {
      if (!line.startsWith('-A PREROUTING') || !line.includes(`-i ${PREFIX}h`)) continue;
      tryRun('iptables', ['-w', '-t', 'mangle', '-D', ...line.slice(3).split(' ')]);
    }
    for (const pid of run('ps', ['-eo', 'pid=,args=']).split('\n')) {
      const [id, ...cmd] = pid.trim().split(/\s+/);
      if (id && cmd.join(' ').includes(DELAYER)) tryRun('kill', [id]);
    }
  }

  destroy(): void {
    clearInterval(this.#prioritizer);
    for (const link of this.links) link.destroy();
    this.cpuGroup?.remove(process.pid);
    tryRun('ip', ['addr', 'del', `${this.serverIp}/32`, 'dev', 'lo']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
